. "$(dirname "$0")/../lib.sh" "$@"
. "$(dirname "$0")/lib/attack.sh"
attack_setup
make_tree v1 1
make_tree v2 2
GOOD1=$TEST_DIR/variants/good1
new_repo "$GOOD1"
commit_tree "$GOOD1" v1 "$FPR_A" >/dev/null && deltas "$GOOD1" && summary "$GOOD1" "$FPR_A"
serve_variant "$GOOD1"
start_web "$TEST_DIR/www" || finish
client one
bento_c remote-add --gpg-import="$TEST_DIR/key-A.asc" origin "$WEB_URL/repo"; describe_run
bento_c install origin "$APP_ID"; describe_run
bento_c run "$APP_ID"; describe_run
bento_c update "$APP_ID"; describe_run
ls -la $INST/app/$APP_ID $INST/app/$APP_ID/*/
finish
