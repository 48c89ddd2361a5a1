/* SPDX-License-Identifier: MIT */
#include "output/appstream.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/keyfile.h"
#include "core/util.h"
#include "output/ostree_export.h"
#include "permissions/permissions.h"
#include "util/beneath.h"

#define MAX_FILE (1 << 20)

/* A regular file of the commit (never a link), at most MAX_FILE bytes;
 * NULL when there is none. */
static char *commit_file(GFile *root, const char *path, gsize *len)
{
	g_autoptr(GFile) f = g_file_resolve_relative_path(root, path);
	g_autoptr(GFileInfo) info = g_file_query_info(
	    f, "standard::type,standard::size", G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS, NULL, NULL);
	if (info == NULL || g_file_info_get_file_type(info) != G_FILE_TYPE_REGULAR ||
	    g_file_info_get_size(info) > MAX_FILE)
		return NULL;
	char *data = NULL;
	if (!g_file_load_contents(f, NULL, &data, len, NULL, NULL))
		return NULL;
	return data;
}

/* ------------------------------------------------------------ metainfo */

/* Writing a metainfo file out again (see appstream.h). */
typedef struct rewrite {
	GString *out;
	const char *id, *ref;
	const char *version; /* the commit's, for a metainfo without <releases> */
	guint64 timestamp;
	bool has_releases;
	int depth;
	int skip_from; /* the depth of an element left out with all it holds, or -1 */
} rewrite;

static void rw_start(GMarkupParseContext *ctx, const char *name, const char **attr_names,
                     const char **attr_values, gpointer data, GError **error)
{
	(void)ctx;
	rewrite *rw = data;
	if (rw->depth == 0 && strcmp(name, "component") != 0) {
		g_set_error(error, G_MARKUP_ERROR, G_MARKUP_ERROR_INVALID_CONTENT,
		            "the root element is <%s>, not <component>", name);
		return;
	}
	if (rw->skip_from < 0 && rw->depth == 1 &&
	    (strcmp(name, "id") == 0 || strcmp(name, "bundle") == 0))
		rw->skip_from = rw->depth;
	if (rw->depth == 1 && strcmp(name, "releases") == 0)
		rw->has_releases = true;
	rw->depth++;
	if (rw->skip_from >= 0)
		return;
	g_string_append_printf(rw->out, "<%s", name);
	for (size_t i = 0; attr_names[i]; i++) {
		g_autofree char *v = g_markup_escape_text(attr_values[i], -1);
		g_string_append_printf(rw->out, " %s=\"%s\"", attr_names[i], v);
	}
	g_string_append_c(rw->out, '>');
	if (rw->depth == 1) {
		g_autofree char *id = g_markup_escape_text(rw->id, -1);
		g_string_append_printf(rw->out, "\n    <id>%s</id>", id);
	}
}

static void rw_end(GMarkupParseContext *ctx, const char *name, gpointer data, GError **error)
{
	(void)ctx;
	(void)error;
	rewrite *rw = data;
	rw->depth--;
	if (rw->skip_from >= 0) {
		if (rw->depth == rw->skip_from)
			rw->skip_from = -1;
		return;
	}
	if (rw->depth == 0 && !rw->has_releases && rw->version) {
		g_autofree char *v = g_markup_escape_text(rw->version, -1);
		g_string_append_printf(rw->out,
		                       "  <releases>\n      <release version=\"%s\" "
		                       "timestamp=\"%" G_GUINT64_FORMAT "\"/>\n    </releases>\n",
		                       v, rw->timestamp);
	}
	if (rw->depth == 0) {
		g_autofree char *ref = g_markup_escape_text(rw->ref, -1);
		g_string_append_printf(rw->out, "  <bundle type=\"bento\">%s</bundle>\n  ", ref);
	}
	g_string_append_printf(rw->out, "</%s>", name);
}

static void rw_text(GMarkupParseContext *ctx, const char *text, gsize len, gpointer data,
                    GError **error)
{
	(void)ctx;
	(void)error;
	rewrite *rw = data;
	if (rw->skip_from >= 0 || rw->depth == 0)
		return;
	g_autofree char *t = g_markup_escape_text(text, (gssize)len);
	g_string_append(rw->out, t);
}

/* The component of a metainfo text (with the commit's version as its
 * release when it names none), or false (with *why) when it does not
 * parse as one. */
static bool component_from_metainfo(GString *out, const char *text, gsize len, const char *id,
                                    const char *ref, const char *version, guint64 timestamp,
                                    char **why)
{
	g_autoptr(GString) buf = g_string_new("  ");
	rewrite rw = {.out = buf,
	              .id = id,
	              .ref = ref,
	              .version = version,
	              .timestamp = timestamp,
	              .skip_from = -1};
	static const GMarkupParser parser = {
	    .start_element = rw_start, .end_element = rw_end, .text = rw_text};
	g_autoptr(GMarkupParseContext) ctx = g_markup_parse_context_new(&parser, 0, &rw, NULL);
	GError *gerr = NULL;
	if (!g_markup_parse_context_parse(ctx, text, (gssize)len, &gerr) ||
	    !g_markup_parse_context_end_parse(ctx, &gerr)) {
		*why = g_strdup(gerr->message);
		g_error_free(gerr);
		return false;
	}
	if (buf->len <= 2) {
		*why = g_strdup("no <component> element");
		return false;
	}
	g_string_append(out, buf->str);
	g_string_append_c(out, '\n');
	return true;
}

static void first_release(GMarkupParseContext *ctx, const char *name, const char **attr_names,
                          const char **attr_values, gpointer data, GError **error)
{
	(void)ctx;
	(void)error;
	char **version = data;
	if (*version || strcmp(name, "release") != 0)
		return;
	for (size_t i = 0; attr_names[i]; i++)
		if (strcmp(attr_names[i], "version") == 0 && *attr_values[i])
			*version = g_strdup(attr_values[i]);
}

char *bento_metainfo_version(const char *text, size_t len)
{
	static const GMarkupParser parser = {.start_element = first_release};
	char *version = NULL;
	g_autoptr(GMarkupParseContext) ctx = g_markup_parse_context_new(&parser, 0, &version, NULL);
	if (!g_markup_parse_context_parse(ctx, text, (gssize)len, NULL) ||
	    !g_markup_parse_context_end_parse(ctx, NULL)) {
		g_free(version);
		return NULL;
	}
	return version;
}

/* ------------------------------------------------------------ desktop entry */

static void add_element(GString *out, const char *name, const char *text)
{
	if (text == NULL || *text == '\0')
		return;
	g_autofree char *t = g_markup_escape_text(text, -1);
	g_string_append_printf(out, "    <%s>%s</%s>\n", name, t, name);
}

/* The desktop entry: ID.desktop, else the first (by name) *.desktop at the
 * top of the tree; NULL when there is none. */
static char *desktop_entry(GFile *root, const char *id, gsize *len, char **name)
{
	*name = g_strdup_printf("%s.desktop", id);
	char *text = commit_file(root, *name, len);
	if (text)
		return text;
	g_autoptr(GFileEnumerator) en = g_file_enumerate_children(
	    root, "standard::name", G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS, NULL, NULL);
	g_autofree char *first = NULL;
	GFileInfo *info;
	while (en && (info = g_file_enumerator_next_file(en, NULL, NULL)) != NULL) {
		const char *n = g_file_info_get_name(info);
		if (g_str_has_suffix(n, ".desktop") && (first == NULL || strcmp(n, first) < 0)) {
			g_free(first);
			first = g_strdup(n);
		}
		g_object_unref(info);
	}
	if (first == NULL)
		return NULL;
	g_free(*name);
	*name = g_steal_pointer(&first);
	return commit_file(root, *name, len);
}

/* A component made of the desktop entry's Name, Comment, Icon and
 * Categories (what there is of them). */
static void component_from_desktop(GString *out, GFile *root, const char *id, const char *ref,
                                   const char *version, guint64 timestamp)
{
	g_autofree char *path = NULL;
	gsize len = 0;
	g_autofree char *text = desktop_entry(root, id, &len, &path);
	auto_bento_keyfile kf = NULL;
	bento_error *e = NULL;
	if (text && bento_keyfile_parse(path, text, len, &kf, &e) < 0) {
		bento_warn("%s: %s; the catalogue names only its id", ref, e->message);
		bento_error_free(e);
	}
	const char *g = "Desktop Entry";
	g_string_append(out, "  <component type=\"desktop-application\">\n");
	add_element(out, "id", id);
	add_element(out, "name", kf ? bento_keyfile_get(kf, g, "Name") : NULL);
	add_element(out, "summary", kf ? bento_keyfile_get(kf, g, "Comment") : NULL);
	if (kf) {
		g_autofree char *t = g_markup_escape_text(path, -1);
		g_string_append_printf(out, "    <launchable type=\"desktop-id\">%s</launchable>\n",
		                       t);
	}
	const char *icon = kf ? bento_keyfile_get(kf, g, "Icon") : NULL;
	if (icon && *icon) {
		g_autofree char *t = g_markup_escape_text(icon, -1);
		g_string_append_printf(out, "    <icon type=\"stock\">%s</icon>\n", t);
	}
	const char *categories = kf ? bento_keyfile_get(kf, g, "Categories") : NULL;
	if (categories && *categories) {
		g_auto(GStrv) each = g_strsplit(categories, ";", -1);
		g_string_append(out, "    <categories>\n");
		for (char **c = each; *c; c++)
			if (**c) {
				g_autofree char *t = g_markup_escape_text(*c, -1);
				g_string_append_printf(out, "      <category>%s</category>\n", t);
			}
		g_string_append(out, "    </categories>\n");
	}
	if (version) {
		g_autofree char *v = g_markup_escape_text(version, -1);
		g_string_append_printf(out,
		                       "    <releases>\n      <release version=\"%s\" "
		                       "timestamp=\"%" G_GUINT64_FORMAT "\"/>\n    </releases>\n",
		                       v, timestamp);
	}
	g_autofree char *r = g_markup_escape_text(ref, -1);
	g_string_append_printf(out, "    <bundle type=\"bento\">%s</bundle>\n  </component>\n", r);
}

/* ------------------------------------------------------------ the catalogue */

/* The app id of a ref app/ID/ARCH/BRANCH of this machine's ARCH, or NULL. */
static char *ref_app_id(const char *ref)
{
	g_auto(GStrv) parts = g_strsplit(ref, "/", -1);
	if (g_strv_length(parts) != 4 || strcmp(parts[0], "app") != 0 ||
	    strcmp(parts[2], bento_repo_arch()) != 0 ||
	    !bento_app_id_valid(parts[1], strlen(parts[1])))
		return NULL;
	return g_strdup(parts[1]);
}

static int add_component(GString *out, OstreeRepo *repo, const char *label, const char *ref,
                         bento_error **err)
{
	g_autofree char *id = ref_app_id(ref);
	if (id == NULL)
		return 0;
	GError *gerr = NULL;
	g_autoptr(GFile) root = NULL;
	g_autofree char *commit = NULL;
	g_autoptr(GVariant) commit_v = NULL;
	if (!ostree_repo_read_commit(repo, ref, &root, &commit, NULL, &gerr) ||
	    !ostree_repo_load_commit(repo, commit, &commit_v, NULL, &gerr))
		return bento_error_from_gerror(err, gerr, "%s: cannot read %s", label, ref);
	g_autoptr(GVariant) md = g_variant_get_child_value(commit_v, 0);
	const char *version = NULL;
	g_variant_lookup(md, "version", "&s", &version);
	guint64 timestamp = ostree_commit_get_timestamp(commit_v);
	const char *names[] = BENTO_METAINFO_PATHS;
	for (size_t i = 0; i < G_N_ELEMENTS(names); i++) {
		g_autofree char *path = g_strdup_printf(names[i], id);
		gsize len = 0;
		g_autofree char *text = commit_file(root, path, &len);
		if (text == NULL)
			continue;
		g_autofree char *why = NULL;
		if (component_from_metainfo(out, text, len, id, ref, version, timestamp, &why))
			return 1;
		bento_warn("%s: %s: %s; the catalogue uses the desktop entry instead", ref, path,
		           why);
		break;
	}
	component_from_desktop(out, root, id, ref, version, timestamp);
	return 1;
}

static int gzip(const GString *in, GBytes **out, bento_error **err)
{
	g_autoptr(GZlibCompressor) z = g_zlib_compressor_new(G_ZLIB_COMPRESSOR_FORMAT_GZIP, 9);
	g_autoptr(GOutputStream) mem = g_memory_output_stream_new_resizable();
	g_autoptr(GOutputStream) conv = g_converter_output_stream_new(mem, G_CONVERTER(z));
	GError *gerr = NULL;
	if (!g_output_stream_write_all(conv, in->str, in->len, NULL, NULL, &gerr) ||
	    !g_output_stream_close(conv, NULL, &gerr))
		return bento_error_from_gerror(err, gerr, "cannot compress the catalogue");
	*out = g_memory_output_stream_steal_as_bytes(G_MEMORY_OUTPUT_STREAM(mem));
	return 0;
}

/* Writes data to appstream/ARCH/appstream.xml.gz of the repository
 * directory: a temporary file beside it, synced, renamed over it; nothing
 * on the way is followed. */
static int replace_catalogue(OstreeRepo *repo, const char *label, GBytes *data, bento_error **err)
{
	g_autofree char *dir = g_strdup_printf("appstream/%s", bento_repo_arch());
	autoclose int dir_fd = bento_beneath_dir(ostree_repo_get_dfd(repo), label, dir, true, err);
	if (dir_fd < 0)
		return -1;
	const char *name = "appstream.xml.gz";
	autofree char *tmp = NULL;
	autoclose int fd = bento_beneath_tmpfile(dir_fd, name, &tmp);
	if (fd < 0)
		return bento_error_errno(err, "%s: cannot create a file in %s", label, dir);
	gsize len = 0;
	const void *bytes = g_bytes_get_data(data, &len);
	if (bento_write_all(fd, bytes, len) < 0 || fchmod(fd, 0644) < 0 || fsync(fd) < 0 ||
	    renameat(dir_fd, tmp, dir_fd, name) < 0) {
		bento_error_errno(err, "%s: cannot write %s/%s", label, dir, name);
		unlinkat(dir_fd, tmp, 0);
		return -1;
	}
	fsync(dir_fd);
	return 0;
}

int bento_appstream_write(OstreeRepo *repo, const char *label, unsigned *count, bento_error **err)
{
	GError *gerr = NULL;
	g_autoptr(GHashTable) refs = NULL;
	if (!ostree_repo_list_refs_ext(repo, NULL, &refs, OSTREE_REPO_LIST_REFS_EXT_NONE, NULL,
	                               &gerr))
		return bento_error_from_gerror(err, gerr, "%s: cannot list its refs", label);
	g_autoptr(GList) names = g_hash_table_get_keys(refs);
	names = g_list_sort(names, (GCompareFunc)strcmp);
	g_autoptr(GString) xml = g_string_new("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	                                      "<components version=\"0.14\" origin=\"bento\">\n");
	*count = 0;
	for (GList *l = names; l; l = l->next) {
		int r = add_component(xml, repo, label, l->data, err);
		if (r < 0)
			return -1;
		*count += (unsigned)r;
	}
	g_string_append(xml, "</components>\n");
	g_autoptr(GBytes) gz = NULL;
	if (gzip(xml, &gz, err) < 0)
		return -1;
	return replace_catalogue(repo, label, gz, err);
}
