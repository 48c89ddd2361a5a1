/* SPDX-License-Identifier: MIT */
/* bento-builder sign --key KEYID FILE: bento_sign_file() (output/sign.h). */
#include <getopt.h>

#include "cmd/options.h"
#include "cmd/verbs.h"
#include "core/exit.h"
#include "output/sign.h"

void bento_builder_sign_usage(FILE *out)
{
	fputs("Usage: " PROG " sign --key KEYID FILE\n"
	      "\n"
	      "Sign FILE, a bento file or AppImage of type 2, in place: the signature goes\n"
	      "into its .sha256_sig section and the public key into .sig_key, the way\n"
	      "appimagetool does it. The key comes from the GnuPG home ($GNUPGHOME, else\n"
	      "~/.gnupg); gpg-agent asks for its passphrase if it has one. FILE is replaced\n"
	      "atomically; a FILE.zsync beside it is rewritten to match. 'bento verify'\n"
	      "checks the signature.\n"
	      "\n"
	      "Options:\n"
	      "  -k, --key KEYID   the secret key to sign with (fingerprint, key id or user id)\n"
	      "  -h, --help        show this help and exit\n"
	      "\n"
	      "Exit status: 0 when signed, 1 on failure (nothing is changed), 2 on a usage\n"
	      "error.\n",
	      out);
}

static int sign_verb(int argc, char **argv, bento_error **err)
{
	static const struct option options[] = {
	    {"key", required_argument, NULL, 'k'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *keyid = NULL;
	int c;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":k:h", options, NULL)) != -1) {
		if (c == 'h') {
			bento_builder_sign_usage(stdout);
			return 0;
		}
		if (c != 'k')
			return bento_cmd_option_error("sign", c, argv, err);
		keyid = optarg;
	}
	if (keyid == NULL || keyid[0] == '\0')
		return bento_error_usage(err,
		                         "sign: --key KEYID is missing (see " PROG " sign --help)");
	if (optind != argc - 1)
		return bento_error_usage(err, "sign: %s (see " PROG " sign --help)",
		                         optind == argc ? "FILE is missing"
		                                        : "only one FILE, please");
	return bento_sign_file(argv[optind], keyid, err);
}

int bento_builder_sign(int argc, char **argv)
{
	bento_error *err = NULL;
	if (sign_verb(argc, argv, &err) == 0)
		return fflush(stdout) == 0 ? 0 : BENTO_EXIT_FAILURE;
	return bento_error_report(err, PROG, BENTO_EXIT_FAILURE);
}
