/* SPDX-License-Identifier: MIT */
/* bento info FILE, bento info ID */
#include <endian.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/keyfile.h"
#include "core/util.h"
#include "image/image.h"
#include "image/metadata.h"
#include "permissions/override.h"
#include "permissions/permissions.h"
#include "permissions/requires.h"
#include "repo/repo.h"
#include "update/probe.h"
#include "verbs.h"

static void print_help(void)
{
	printf("Usage: bento info [--check-update] FILE\n"
	       "       bento info ID\n"
	       "\n"
	       "Describes a bento file or AppImage: where its image starts, how it is\n"
	       "compressed, the app it holds, its update information, whether it is\n"
	       "signed, its app id, command (and its other commands by name, run with\n"
	       "--bento-command=NAME or through a link named NAME) and permissions (from\n"
	       "its .bento/metadata and your override, see bento override), and what it\n"
	       "requires of the system it runs on ([Requires]: the GNU C Library and\n"
	       "libstdc++ versions, bundled or not, the oldest releases that have them,\n"
	       "the libraries it takes from the system).\n"
	       "\n"
	       "An ID that names no file (no '/' in it) is an installed app: its\n"
	       "installation, branch, remote, ref, key, version, active and previous\n"
	       "commits, deployment and permissions.\n"
	       "\n"
	       "  --check-update  also ask the server its update information names\n"
	       "                  whether a newer version is available (\"Update: ...\")\n"
	       "\n"
	       "Exit status: 0, 1 if no app ID is installed, 127 if FILE is not a valid\n"
	       "image or its metadata or your override is invalid, 2 on a usage error, 3\n"
	       "if --check-update cannot find out (no update information, the server,\n"
	       "the network).\n");
}

/* The desktop entry at the top of the image names the app. */
static char *desktop_name(bento_image *img)
{
	autofree char *name = bento_image_desktop_file(img);
	autofree char *data = NULL;
	size_t len;
	auto_bento_keyfile kf = NULL;
	if (name == NULL || bento_image_read_file(img, name, 1 << 20, &data, &len, NULL) <= 0 ||
	    bento_keyfile_parse(name, data, len, &kf, NULL) < 0)
		return NULL;
	const char *value = bento_keyfile_get(kf, "Desktop Entry", "Name");
	return value ? xstrdup(value) : NULL;
}

/* The app id, command and permissions, with the user's override applied. */
typedef struct app_info {
	bento_metadata md;
	bento_permissions override;
} app_info;

static void app_info_clear(app_info *a)
{
	bento_metadata_clear(&a->md);
	bento_permissions_clear(&a->override);
}

static int load_app(bento_image *img, app_info *a, bento_error **err)
{
	if (bento_image_load_metadata(img, &a->md, err) < 0)
		return -1;
	if (bento_override_load(a->md.app_id, &a->override, err) < 0) {
		(*err)->status = BENTO_EXIT_RUNTIME;
		return -1;
	}
	return 0;
}

static void print_app(app_info *a)
{
	bento_metadata *md = &a->md;
	printf("App id: %s%s\n", md->app_id,
	       md->present ? "" : " (derived: the image has no .bento/metadata)");
	printf("Command: %s\n", md->command ? md->command : "AppRun");
	if (md->n_commands > 0) {
		printf("Commands (--bento-command=NAME, or a link named NAME):\n");
		const char *dflt = md->command ? md->command : "AppRun";
		for (size_t i = 0; i < md->n_commands; i++)
			printf("  %s: %s%s\n", md->commands[i].name, md->commands[i].value,
			       strcmp(md->commands[i].value, dflt) == 0 ? " (default)" : "");
	}
	if (md->present)
		printf("Sandbox: yes (unless run with --no-sandbox)\n");
	else
		printf("Sandbox: no, a plain AppImage (unless run with --sandbox)\n");
	bento_permissions_merge(&md->permissions, &a->override);
	printf("Permissions%s:\n", md->present ? "" : " when sandboxed");
	bento_permissions_describe(&md->permissions, "  ", stdout);
	if (!bento_permissions_empty(&a->override)) {
		autofree char *path = bento_override_path(md->app_id, NULL);
		printf("Your override (included above): %s\n", path);
		autofree char *text = bento_permissions_to_keyfile(&a->override);
		for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n"))
			printf("  %s\n", line);
	}
}

/* [Requires], in words (bento-metadata(5)). */
static void print_requires(const bento_requirements *req)
{
	if (!req->present)
		return;
	printf("Requires:\n");
	autofree char *releases = req->glibc ? bento_glibc_releases(req->glibc) : NULL;
	if (req->glibc)
		printf("  GNU C Library: %s or newer (%s)\n", req->glibc,
		       releases ? releases : "newer than every release known here");
	if (req->glibc_bundled)
		printf("  GNU C Library bundled: %s (used where the system's is older)\n",
		       req->glibc_bundled);
	if (req->libstdcxx)
		printf("  libstdc++: GLIBCXX_%s or newer\n", req->libstdcxx);
	if (req->libstdcxx_bundled)
		printf("  libstdc++ bundled: GLIBCXX_%s (used where the system's is missing or "
		       "older)\n",
		       req->libstdcxx_bundled);
	for (size_t i = 0; i < req->n_host_libraries; i++) {
		const bento_host_library *lib = &req->host_libraries[i];
		printf("  From the system: %s (Debian package %s)%s\n", lib->name,
		       lib->package[0] ? lib->package : "unknown",
		       bento_requirements_has_fallback(req, lib->name)
		           ? "; bundled as a fallback where the system lacks it"
		           : "");
	}
	if (req->glibc_bundled)
		printf("Runs on: glibc systems of any release (bundled %s%s%s)\n",
		       req->glibc_bundled, req->glibc ? "; its programs need " : "",
		       req->glibc ? req->glibc : "");
	else if (req->glibc)
		printf("Runs on: glibc >= %s systems (%s)\n", req->glibc,
		       releases ? releases : "newer than every release known here");
}

static int print_info(bento_image *img, bento_error **err)
{
	autofree char *updinfo = NULL, *sig = NULL;
	size_t len;
	if (bento_image_read_section(img, ".upd_info", &updinfo, &len, err) < 0 ||
	    bento_image_read_section(img, ".sha256_sig", &sig, &len, err) < 0)
		return -1;
	/* Checked first: a bad file prints nothing but the error. */
	__attribute__((cleanup(app_info_clear))) app_info app = {0};
	if (load_app(img, &app, err) < 0)
		return -1;
	autofree char *name = desktop_name(img);
	printf("File: %s\n", img->path);
	printf("Offset: %llu\n", (unsigned long long)img->offset);
	printf("Payload size: %llu\n", (unsigned long long)le64toh(img->sb.bytes_used));
	printf("File size: %llu\n", (unsigned long long)img->st.st_size);
	printf("Compression: %s\n", bento_image_compression_name(img));
	printf("Block size: %u\n", le32toh(img->sb.block_size));
	printf("Name: %s\n", name ? name : "(no desktop entry)");
	printf("Update information: %s\n", updinfo && updinfo[0] ? updinfo : "none");
	printf("Signature: %s\n", sig && sig[0] ? "present" : "none");
	print_app(&app);
	print_requires(&app.md.requirements);
	return 0;
}

/* "Update: ..." (--check-update); bento update --check says the same. */
static int print_update(bento_image *img, bento_error **err)
{
	__attribute__((cleanup(bento_update_probe_clear))) bento_update_probe p = {0};
	if (bento_update_probe_run(img, img->fd, &p, err) < 0) {
		(*err)->status = 3;
		return -1;
	}
	if (p.available)
		printf("Update: available (SHA-1 %s, this file's %s; %s): run `bento update %s`\n",
		       bento_zsync_control_sha1_hex(p.control), p.sha1, p.control_url, img->path);
	else
		printf("Update: none, up to date (SHA-1 %s)\n", p.sha1);
	return 0;
}

/* bento info ID: an installed app, in the user's installation or else the
 * system's. */
static int info_installed(const char *app_id, bento_error **err)
{
	auto_bento_inst inst = NULL;
	bento_deployment d = {0};
	int r = bento_deployment_find(app_id, &inst, &d, err);
	if (r < 0)
		return -1;
	if (r > 0)
		return bento_error_set(
		    err, ENOENT,
		    "%s: no such file, and no app of that id is installed (bento "
		    "list lists them)",
		    app_id);
	printf("App id: %s\n"
	       "Installed: %s (%s)\n"
	       "Branch: %s\n"
	       "Origin: remote %s, ref %s\n"
	       "Key: %s\n"
	       "Version: %s\n"
	       "Commit: %s\n"
	       "Previous: %s\n"
	       "Deployment: %s\n",
	       app_id, inst->system ? "system" : "user", inst->dir, d.branch, d.remote, d.ref,
	       d.key ? d.key : "none (the remote is not verified)", d.version ? d.version : "-",
	       d.active, d.previous ? d.previous : "none", d.path);
	char **branches = bento_installed_branches(inst, app_id);
	printf("Branches:");
	for (char **b = branches; *b; b++) {
		printf(" %s", *b);
		free(*b);
	}
	free(branches);
	printf("\n");
	bento_metadata md = {0};
	bento_permissions user = {0};
	int loaded = bento_dir_load_metadata(d.path, &md, err);
	bento_deployment_clear(&d);
	if (loaded < 0 || bento_override_load(app_id, &user, err) < 0) {
		bento_metadata_clear(&md);
		return -1;
	}
	printf("Permissions:\n");
	bento_permissions_describe(&md.permissions, "  ", stdout);
	if (!bento_permissions_empty(&user)) {
		printf("Your override (bento override):\n");
		bento_permissions_describe(&user, "  ", stdout);
	}
	bento_permissions_clear(&user);
	bento_metadata_clear(&md);
	return 0;
}

int bento_cmd_info(int argc, char **argv)
{
	bool check_update = false;
	if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		print_help();
		return 0;
	}
	if (argc == 3 && strcmp(argv[1], "--check-update") == 0) {
		check_update = true;
		argc--, argv++;
	}
	if (argc != 2 || argv[1][0] == '-')
		return bento_usage_error("info", "expected exactly one FILE");
	auto_bento_error err = NULL;
	if (!check_update && !bento_arg_is_file(argv[1]) &&
	    bento_app_id_valid(argv[1], strlen(argv[1]))) {
		if (info_installed(argv[1], &err) < 0)
			return bento_error_report(steal_pointer(&err), "bento info",
			                          BENTO_EXIT_FAILURE);
		return 0;
	}
	auto_bento_image img = NULL;
	if (bento_image_open(argv[1], &img, &err) < 0 || print_info(img, &err) < 0 ||
	    (fflush(stdout), check_update && print_update(img, &err) < 0))
		return bento_error_report(steal_pointer(&err), "bento info", BENTO_EXIT_RUNTIME);
	return 0;
}
