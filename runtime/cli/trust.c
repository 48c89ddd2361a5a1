/* SPDX-License-Identifier: MIT */
/* bento trust FILE, bento trust ID */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/state.h"
#include "core/util.h"
#include "image/image.h"
#include "image/metadata.h"
#include "launch/identity.h"
#include "permissions/permissions.h"
#include "repo/repo.h"
#include "verbs.h"

static void print_help(void)
{
	printf("Usage: bento trust FILE\n"
	       "       bento trust ID\n"
	       "\n"
	       "Hands FILE's app id to FILE: the app's data (~/.var/app/APPID), your\n"
	       "permission changes (bento override) and its names on the session bus.\n"
	       "\n"
	       "An app id belongs to the file that first used it: to its signing key when\n"
	       "it is signed (every file that key signs keeps it), to the file itself when\n"
	       "it is not.  A file that claims an id it does not own is refused, and so is\n"
	       "one whose ~/.var/app/APPID bento did not make (Flatpak keeps its apps' data\n"
	       "there).  When FILE is the app - a new version signed by another key, an\n"
	       "unsigned file that moved - this hands the id over to it.  An ID that\n"
	       "names no file is an installed app (bento install): the id goes back to\n"
	       "its remote's key.\n"
	       "\n"
	       "Exit status: 0, 1 if the id could not be handed over (an invalid\n"
	       "signature), 2 on a usage error, 127 if FILE is not a valid image.\n");
}

/* bento trust ID: the id goes back to the installed app, to its remote's
 * key (or, without one, to its installation's path). */
static int trust_installed(const char *app_id)
{
	auto_bento_error err = NULL;
	__attribute__((cleanup(bento_installed_clear))) bento_installed app = {0};
	int found = bento_installed_find(app_id, &app, &err);
	if (found > 0)
		bento_error_set(&err, 0, "%s: no such file, and no app of that id is installed",
		                app_id);
	if (found != 0)
		return bento_error_report(steal_pointer(&err), "bento trust", BENTO_EXIT_FAILURE);
	autofree char *home = bento_user_home(getuid());
	bento_identity_request req = {
	    .file = app.home, .key = app.key, .origin = app.origin, .app_id = app_id, .home = home};
	autofree char *owner = NULL;
	if (bento_identity_trust(&req, &owner, &err) < 0)
		return bento_error_report(steal_pointer(&err), "bento trust", BENTO_EXIT_FAILURE);
	printf("The app id %s now belongs to %s.\n", app_id, owner);
	return 0;
}

int bento_cmd_trust(int argc, char **argv)
{
	if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		print_help();
		return 0;
	}
	if (argc != 2 || argv[1][0] == '-')
		return bento_usage_error("trust", "expected FILE or ID");
	auto_bento_error err = NULL;
	if (!bento_arg_is_file(argv[1]) && bento_app_id_valid(argv[1], strlen(argv[1])))
		return trust_installed(argv[1]);
	autofree char *file = realpath(argv[1], NULL);
	auto_bento_image img = NULL;
	if (file == NULL) {
		bento_error_errno(&err, "%s", argv[1]);
		return bento_error_report(steal_pointer(&err), "bento trust", BENTO_EXIT_RUNTIME);
	}
	if (bento_image_open(file, &img, &err) < 0)
		return bento_error_report(steal_pointer(&err), "bento trust", BENTO_EXIT_RUNTIME);
	__attribute__((cleanup(bento_metadata_clear))) bento_metadata md = {0};
	if (bento_image_load_metadata(img, &md, &err) < 0)
		return bento_error_report(steal_pointer(&err), "bento trust", BENTO_EXIT_RUNTIME);
	autofree char *home = bento_user_home(getuid());
	bento_identity_request req = {.img = img, .file = file, .app_id = md.app_id, .home = home};
	autofree char *owner = NULL;
	if (bento_identity_trust(&req, &owner, &err) < 0)
		return bento_error_report(steal_pointer(&err), "bento trust", BENTO_EXIT_FAILURE);
	printf("The app id %s now belongs to %s.\n", md.app_id, owner);
	return 0;
}
