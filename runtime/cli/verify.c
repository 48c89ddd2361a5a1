/* SPDX-License-Identifier: MIT */
/* bento verify [--keyring FILE] FILE */
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "core/util.h"
#include "image/image.h"
#include "sig/signature.h"
#include "verbs.h"

static void print_help(void)
{
	printf("Usage: bento verify [--keyring KEYS] FILE\n"
	       "\n"
	       "Checks the signature embedded in FILE, a bento file or AppImage of type 2\n"
	       "(signed by 'bento-builder pack --sign-key' or 'sign', or by appimagetool).\n"
	       "It prints one line:\n"
	       "  valid signature by USER-ID, key fingerprint FINGERPRINT   (exit status 0)\n"
	       "  INVALID signature: REASON                                 (exit status 1)\n"
	       "  unsigned                                                  (exit status 3)\n"
	       "\n"
	       "Without --keyring the key is the one embedded in FILE: a valid signature then\n"
	       "proves that FILE is intact since it was signed, not who signed it, since\n"
	       "anyone can sign a modified copy with a key of their own. Whether to trust\n"
	       "the fingerprint is your decision: compare it with the one the publisher\n"
	       "announces, or pass --keyring.\n"
	       "\n"
	       "Options:\n"
	       "  --keyring KEYS  accept only signatures by the OpenPGP public keys in the\n"
	       "                  file KEYS (armoured or binary, e.g. from gpg --export);\n"
	       "                  the key embedded in FILE is ignored\n"
	       "  -h, --help      show this help and exit\n"
	       "\n"
	       "Exit status: 0 valid, 1 invalid, 3 unsigned, 2 on a usage error, 127 if FILE\n"
	       "cannot be checked (not an AppImage of type 2, truncated, unreadable) or\n"
	       "GnuPG cannot be used.\n");
}

static int report(const bento_sig_result *r, const char *keyring)
{
	switch (r->status) {
	case BENTO_SIG_VALID:
		printf("valid signature by %s, key fingerprint %s\n",
		       r->signer ? r->signer : "(a key without user id)", r->fingerprint);
		if (keyring == NULL)
			fprintf(stderr,
			        "bento verify: note: the key was taken from the file itself: this "
			        "shows that the file is intact, not who made it; trust it only if "
			        "you trust this fingerprint\n");
		return 0;
	case BENTO_SIG_UNSIGNED:
		printf("unsigned\n");
		return BENTO_EXIT_UNSIGNED;
	case BENTO_SIG_INVALID:
	default:
		printf("INVALID signature: %s\n", r->reason ? r->reason : "(no reason given)");
		return BENTO_EXIT_FAILURE;
	}
}

int bento_cmd_verify(int argc, char **argv)
{
	static const struct option options[] = {
	    {"keyring", required_argument, NULL, 'K'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *keyring = NULL;
	int c;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", options, NULL)) != -1) {
		if (c == 'h') {
			print_help();
			return 0;
		}
		if (c == 'K')
			keyring = optarg;
		else if (c == ':')
			return bento_usage_error("verify", "option %s needs an argument",
			                         argv[optind - 1]);
		else
			return bento_usage_error("verify", "unknown option %s", argv[optind - 1]);
	}
	if (optind != argc - 1)
		return bento_usage_error("verify", "expected exactly one FILE");
	const char *file = argv[optind];
	auto_bento_error err = NULL;
	autoclose int fd = open(file, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		bento_error_errno(&err, "%s", file);
		return bento_error_report(steal_pointer(&err), "bento verify", BENTO_EXIT_RUNTIME);
	}
	bento_sig_result r;
	if (bento_sig_verify(fd, file, keyring, &r, &err) < 0)
		return bento_error_report(steal_pointer(&err), "bento verify", BENTO_EXIT_RUNTIME);
	int status = report(&r, keyring);
	bento_sig_result_clear(&r);
	if (fflush(stdout) != 0)
		return BENTO_EXIT_RUNTIME;
	return status;
}
