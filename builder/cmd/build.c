/* SPDX-License-Identifier: MIT */
/* bento-builder build [OPTION...] MANIFEST: the options of bento_build()
 * (build/build.h), which key signs, and the name of the file. */
#include <getopt.h>
#include <stdlib.h>
#include <unistd.h>

#include "build/build.h"
#include "cmd/verbs.h"
#include "core/exit.h"
#include "core/util.h"
#include "manifest/manifest.h"
#include "output/ostree_export.h"

void bento_builder_build_usage(FILE *out)
{
	fputs("Usage: " PROG " build [OPTION...] MANIFEST\n"
	      "\n"
	      "Build the app MANIFEST describes (bento-manifest(5)) into a single file:\n"
	      "fetch the sources, build every module in the sandbox, bundle the libraries,\n"
	      "write the desktop entry, icon and metainfo, then pack, sign and describe.\n"
	      "\n"
	      "  -o, --output=FILE     the file to write (default: NAME-VERSION-x86_64.AppImage)\n"
	      "      --state-dir=DIR   where sources, logs and the module cache live\n"
	      "                        (default: .bento-builder, which must not be a link)\n"
	      "      --force-clean     start from empty build and /app directories\n"
	      "      --disable-cache   build every module, even an unchanged one\n"
	      "      --offline         use only downloads already in the cache (apt sources:\n"
	      "                        the lock file's packages; apt is not run)\n"
	      "      --update-lock     resolve the apt sources again with apt and rewrite\n"
	      "                        the lock file beside the manifest (NAME.lock)\n"
	      "      --download-dir=DIR  the download cache (default:\n"
	      "                        ~/.cache/bento-builder/downloads)\n"
	      "      --sign            sign with the key the manifest names (bundle: sign-key);\n"
	      "                        without it a manifest's key is not used\n"
	      "      --sign-key=KEYID  sign with this key\n"
	      "      --runtime=FILE    the runtime to put in front of the image\n"
	      "      --source-root=DIR the directory the manifest's local files must be in\n"
	      "                        (default: its repository, or its own directory)\n"
	      "      --repo=REPO       then export the file to the OSTree repository REPO\n"
	      "                        (as " PROG " export does; bento-repository(7))\n"
	      "      --branch=BRANCH   the branch to export to (default: stable)\n"
	      "      --gpg-sign=KEYID  sign the exported commit with this key\n"
	      "      --gpg-homedir=DIR the GnuPG home of that key\n"
	      "  -j, --jobs=N          parallel jobs of make and ninja (default: CPUs)\n"
	      "  -v, --verbose         show the build's output as it runs\n"
	      "  -h, --help            print this help\n"
	      "\n"
	      "Exit status: 0, 1 when the build fails (nothing is written at the\n"
	      "output path) or the export fails (the file is kept, the ref left as it\n"
	      "was), 2 on a usage error.\n",
	      out);
}

/* NAME-VERSION-x86_64.AppImage, with characters a shell would trip on
 * replaced. */
static char *default_output(const bento_manifest *m)
{
	char *out = xasprintf("%s-%s-x86_64.AppImage", m->name, m->version);
	for (char *p = out; *p; p++)
		if (!(*p == '.' || *p == '-' || *p == '_' || (*p >= '0' && *p <= '9') ||
		      (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')))
			*p = '_';
	return out;
}

static long cpu_count(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? n : 1;
}

/* The key to sign with: --sign-key's, or with --sign the manifest's.  A
 * manifest cannot make the builder use one of the publisher's keys by
 * itself: without --sign its key is left alone, and the build says so. */
static int signing_key(const bento_manifest *m, const char *given, bool sign, const char **key,
                       bento_error **err)
{
	*key = given;
	if (given != NULL)
		return 0;
	if (sign && m->bundle.sign_key == NULL)
		return bento_error_usage(err,
		                         "--sign: the manifest names no key (bundle: sign-key); "
		                         "give --sign-key=KEYID");
	if (sign) {
		*key = m->bundle.sign_key;
		return 0;
	}
	if (m->bundle.sign_key != NULL)
		fprintf(stderr,
		        "bento-builder: not signing: the manifest names the key %s (bundle: "
		        "sign-key), which is used only with --sign; the file is unsigned\n",
		        m->bundle.sign_key);
	return 0;
}

int bento_builder_build(int argc, char **argv)
{
	enum {
		OPT_STATE = 256,
		OPT_FORCE,
		OPT_NOCACHE,
		OPT_OFFLINE,
		OPT_DOWNLOADS,
		OPT_SIGN,
		OPT_SIGN_KEY,
		OPT_RUNTIME,
		OPT_SOURCE_ROOT,
		OPT_UPDATE_LOCK,
		OPT_REPO,
		OPT_BRANCH,
		OPT_GPG_SIGN,
		OPT_GPG_HOMEDIR
	};
	static const struct option longopts[] = {
	    {"output", required_argument, NULL, 'o'},
	    {"state-dir", required_argument, NULL, OPT_STATE},
	    {"force-clean", no_argument, NULL, OPT_FORCE},
	    {"disable-cache", no_argument, NULL, OPT_NOCACHE},
	    {"offline", no_argument, NULL, OPT_OFFLINE},
	    {"download-dir", required_argument, NULL, OPT_DOWNLOADS},
	    {"sign", no_argument, NULL, OPT_SIGN},
	    {"sign-key", required_argument, NULL, OPT_SIGN_KEY},
	    {"runtime", required_argument, NULL, OPT_RUNTIME},
	    {"source-root", required_argument, NULL, OPT_SOURCE_ROOT},
	    {"update-lock", no_argument, NULL, OPT_UPDATE_LOCK},
	    {"repo", required_argument, NULL, OPT_REPO},
	    {"branch", required_argument, NULL, OPT_BRANCH},
	    {"gpg-sign", required_argument, NULL, OPT_GPG_SIGN},
	    {"gpg-homedir", required_argument, NULL, OPT_GPG_HOMEDIR},
	    {"jobs", required_argument, NULL, 'j'},
	    {"verbose", no_argument, NULL, 'v'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0}};
	const char *sign_key = NULL, *source_root = NULL;
	bool sign = false;
	bento_build_config o = {.jobs = (int)cpu_count()};
	bento_export_options export = {0};
	int opt;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "o:j:vh", longopts, NULL)) != -1) {
		switch (opt) {
		case 'o':
			o.output = optarg;
			break;
		case OPT_STATE:
			o.state_dir = optarg;
			break;
		case OPT_FORCE:
			o.force_clean = true;
			break;
		case OPT_NOCACHE:
			o.disable_cache = true;
			break;
		case OPT_OFFLINE:
			o.fetch.offline = true;
			break;
		case OPT_DOWNLOADS:
			o.fetch.cache_dir = optarg;
			break;
		case OPT_SIGN:
			sign = true;
			break;
		case OPT_SIGN_KEY:
			sign_key = optarg;
			break;
		case OPT_RUNTIME:
			o.runtime = optarg;
			break;
		case OPT_SOURCE_ROOT:
			source_root = optarg;
			break;
		case OPT_UPDATE_LOCK:
			o.update_lock = true;
			break;
		case OPT_REPO:
			export.repo = optarg;
			break;
		case OPT_BRANCH:
			export.branch = optarg;
			break;
		case OPT_GPG_SIGN:
			export.gpg_key = optarg;
			break;
		case OPT_GPG_HOMEDIR:
			export.gpg_homedir = optarg;
			break;
		case 'j':
			o.jobs = atoi(optarg);
			if (o.jobs < 1 || o.jobs > 1024) {
				fprintf(stderr,
				        PROG " build: --jobs wants a number from 1 to 1024\n");
				return BENTO_EXIT_USAGE;
			}
			break;
		case 'v':
			o.verbose = true;
			break;
		case 'h':
			bento_builder_build_usage(stdout);
			return 0;
		default:
			fprintf(stderr, "Try '" PROG " build --help'.\n");
			return BENTO_EXIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, PROG " build: %s (see " PROG " build --help)\n",
		        optind >= argc ? "which MANIFEST?" : "only one MANIFEST, please");
		return BENTO_EXIT_USAGE;
	}
	if (export.repo == NULL && (export.branch || export.gpg_key || export.gpg_homedir)) {
		fprintf(stderr, PROG " build: --branch, --gpg-sign and --gpg-homedir go with "
		                     "--repo (see " PROG " build --help)\n");
		return BENTO_EXIT_USAGE;
	}
	auto_bento_error err = NULL;
	if (export.branch && bento_repo_check_branch(export.branch, &err) < 0)
		return bento_error_report(steal_pointer(&err), PROG, BENTO_EXIT_USAGE);
	auto_bento_manifest m = NULL;
	if (bento_manifest_load(argv[optind], source_root, &m, &err) < 0)
		return bento_error_report(steal_pointer(&err), PROG, BENTO_EXIT_FAILURE);
	if (signing_key(m, sign_key, sign, &o.sign_key, &err) < 0)
		return bento_error_report(steal_pointer(&err), PROG, BENTO_EXIT_FAILURE);
	autofree char *out = o.output ? xstrdup(o.output) : default_output(m);
	o.output = out;
	if (bento_build(m, &o, &err) < 0)
		return bento_error_report(steal_pointer(&err), PROG, BENTO_EXIT_FAILURE);
	if (fflush(stdout) != 0)
		return BENTO_EXIT_FAILURE;
	printf("%s\n", out);
	export.version = m->version;
	if (export.repo && bento_ostree_export(out, &export, &err) < 0)
		return bento_error_report(steal_pointer(&err), PROG, BENTO_EXIT_FAILURE);
	return fflush(stdout) == 0 ? 0 : BENTO_EXIT_FAILURE;
}
