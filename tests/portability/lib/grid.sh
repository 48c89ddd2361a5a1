# tests/portability/lib/grid.sh — a table of releases × apps, printed at the
# end of tests/portability/releases.sh (sourced).
#   grid_cell ROW COLUMN TEXT   set a cell (rows and columns keep the order
#                               in which they first appear)
#   print_grid TITLE            print it as a Markdown table; an unset cell
#                               prints "-" (not run)
declare -A _grid _grid_seen
_grid_rows=() _grid_cols=()

grid_cell() {
	local r=$1 c=$2
	[ -n "${_grid_seen[row|$r]:-}" ] || { _grid_seen[row|$r]=1; _grid_rows+=("$r"); }
	[ -n "${_grid_seen[col|$c]:-}" ] || { _grid_seen[col|$c]=1; _grid_cols+=("$c"); }
	_grid[$r|$c]=$3
}

print_grid() {
	local r c line
	echo "$1"
	line="|"
	for c in "" "${_grid_cols[@]}"; do line+=" $c |"; done
	echo "$line"
	line="|"
	for c in "" "${_grid_cols[@]}"; do line+=" --- |"; done
	echo "$line"
	for r in "${_grid_rows[@]}"; do
		line="| $r |"
		for c in "${_grid_cols[@]}"; do line+=" ${_grid[$r|$c]:--} |"; done
		echo "$line"
	done
}
