/* SPDX-License-Identifier: MIT */
#include "launch/identity.h"

#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "core/keyfile.h"
#include "core/state.h"
#include "core/util.h"
#include "sig/signature.h"

#define RECORD_MAX (64 * 1024)
#define GROUP "Identity"

/* What bento recorded of an app id: the key or the unsigned file it
 * belongs to, and the last signature checked (the file's identity and the
 * key that signed it). */
typedef struct id_record {
	bool present;
	char *path; /* of the record */
	char *key, *file, *checked;
} id_record;

static void id_record_clear(id_record *r)
{
	free(r->path);
	free(r->key);
	free(r->file);
	free(r->checked);
	*r = (id_record){0};
}

/* Who signed the file, as far as it counts. */
typedef struct file_signer {
	char *key;        /* the signing key's fingerprint, when checked and valid */
	char *user_id;    /* its first user id, if known */
	char *unchecked;  /* why a signature the file carries could not be checked */
	bool from_record; /* key came from the record's cache */
} file_signer;

static void file_signer_clear(file_signer *s)
{
	free(s->key);
	free(s->user_id);
	free(s->unchecked);
	*s = (file_signer){0};
}

static char *ids_dir(bool make, bento_error **err)
{
	autofree char *data = bento_state_dir(BENTO_STATE_DATA, err);
	if (data == NULL)
		return NULL;
	autofree char *ids = xasprintf("%s/ids", data);
	if (make && (bento_private_dir(data, err) < 0 || bento_private_dir(ids, err) < 0))
		return NULL;
	return steal_pointer(&ids);
}

static int read_record(const char *app_id, id_record *rec, bento_error **err)
{
	autofree char *dir = ids_dir(false, err);
	if (dir == NULL)
		return -1;
	rec->path = xasprintf("%s/%s", dir, app_id);
	autofree char *data = NULL;
	size_t len = 0;
	int found = bento_read_file_if_present(rec->path, RECORD_MAX, &data, &len, err);
	if (found <= 0)
		return found;
	auto_bento_keyfile kf = NULL;
	if (bento_keyfile_parse(rec->path, data, len, &kf, err) < 0)
		return -1;
	const char *key = bento_keyfile_get(kf, GROUP, "key");
	const char *file = bento_keyfile_get(kf, GROUP, "file");
	const char *checked = bento_keyfile_get(kf, GROUP, "checked");
	if ((key == NULL) == (file == NULL))
		return bento_error_set(err, EINVAL, "%s: names neither a key nor a file (or both)",
		                       rec->path);
	rec->present = true;
	rec->key = key ? xstrdup(key) : NULL;
	rec->file = file ? xstrdup(file) : NULL;
	rec->checked = checked ? xstrdup(checked) : NULL;
	return 0;
}

static int write_record(const char *app_id, const id_record *rec, bento_error **err)
{
	autofree char *dir = ids_dir(true, err);
	if (dir == NULL)
		return -1;
	autofree char *path = xasprintf("%s/%s", dir, app_id);
	autofree char *text =
	    xasprintf("# Which files may use the app id %s (bento-sandbox(7), APP IDENTITY).\n"
	              "[" GROUP "]\n%s%s\n%s%s%s",
	              app_id, rec->key ? "key=" : "file=", rec->key ? rec->key : rec->file,
	              rec->checked ? "checked=" : "", rec->checked ? rec->checked : "",
	              rec->checked ? "\n" : "");
	return bento_replace_file(path, text, 0600, err);
}

/* The file's signature, checked unless rec remembers the check for the
 * file as it is now.  A file whose signature is invalid is refused. */
static int find_signer(const bento_identity_request *req, const id_record *rec, file_signer *out,
                       bento_error **err)
{
	bento_image *img = req->img;
	if (img == NULL) {
		/* Installed: the pull checked the commit's signature. */
		out->key = req->key ? xstrdup(req->key) : NULL;
		out->user_id = req->origin ? xstrdup(req->origin) : NULL;
		return 0;
	}
	bento_sig_sections secs;
	auto_bento_error sections_err = NULL;
	/* Without the sections (another tool's AppImage) a file is unsigned. */
	if (bento_sig_find_sections(img->fd, (uint64_t)img->st.st_size, img->path, &secs,
	                            &sections_err) < 0)
		return 0;
	char first = 0;
	if (bento_pread_all(img->fd, &first, 1, (off_t)secs.sig.offset) != 1 || first == 0)
		return 0;
	autofree char *identity = bento_image_identity(img);
	size_t n = strlen(identity);
	if (rec && rec->checked && strncmp(rec->checked, identity, n) == 0 &&
	    rec->checked[n] == ' ' && rec->checked[n + 1]) {
		out->key = xstrdup(rec->checked + n + 1);
		out->from_record = true;
		return 0;
	}
	bento_sig_result res = {0};
	auto_bento_error verify_err = NULL;
	if (bento_sig_verify(img->fd, img->path, NULL, &res, &verify_err) < 0) {
		out->unchecked = xstrdup(verify_err->message);
		return 0;
	}
	int r = 0;
	if (res.status == BENTO_SIG_VALID) {
		out->key = steal_pointer(&res.fingerprint);
		out->user_id = steal_pointer(&res.signer);
	} else if (res.status == BENTO_SIG_INVALID) {
		r = bento_error_set(
		    err, EPERM,
		    "%s: its signature is invalid (%s): bento does not run it as %s "
		    "(`bento verify %s` says more)",
		    img->path, res.reason, req->app_id, img->path);
	}
	bento_sig_result_clear(&res);
	return r;
}

static char *describe_file(const file_signer *s)
{
	if (s->key)
		return xasprintf("signed by key %s%s%s%s", s->key, s->user_id ? " (" : "",
		                 s->user_id ? s->user_id : "", s->user_id ? ")" : "");
	if (s->unchecked)
		return xasprintf("signed, but its signature could not be checked (%s)",
		                 s->unchecked);
	return xstrdup("unsigned");
}

static int refusal(bento_error **err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int refusal(bento_error **err, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	autofree char *message = xvasprintf(fmt, ap);
	va_end(ap);
	bento_error_set(err, EPERM, "%s", message);
	if (err && *err)
		(*err)->status = BENTO_EXIT_RUNTIME;
	return -1;
}

static int refuse(const bento_identity_request *req, const char *owner, const file_signer *s,
                  bento_error **err)
{
	autofree char *what = describe_file(s);
	return refusal(err,
	               "%s: the app id %s belongs to %s, and this file is %s: it does not get that "
	               "app's data, permissions and bus names.  If this file is that app, hand "
	               "them to it with `bento trust %s`",
	               req->file, req->app_id, owner, what, req->file);
}

/* The record that binds the id to the file: to its key, or to its path. */
static void bind_to(id_record *rec, const bento_identity_request *req, const file_signer *s)
{
	free(rec->key);
	free(rec->file);
	free(rec->checked);
	rec->key = s->key ? xstrdup(s->key) : NULL;
	rec->file = s->key ? NULL : xstrdup(req->file);
	rec->checked = NULL;
	if (s->key && req->img) {
		autofree char *identity = bento_image_identity(req->img);
		rec->checked = xasprintf("%s %s", identity, s->key);
	}
}

static int check_file_path(const bento_identity_request *req, bento_error **err)
{
	if (strchr(req->file, '\n'))
		return bento_error_set(err, EINVAL,
		                       "%s: a file whose path holds a line break has no identity",
		                       req->file);
	return 0;
}

int bento_identity_check(const bento_identity_request *req, bento_error **err)
{
	__attribute__((cleanup(id_record_clear))) id_record rec = {0};
	__attribute__((cleanup(file_signer_clear))) file_signer s = {0};
	if (check_file_path(req, err) < 0 || read_record(req->app_id, &rec, err) < 0 ||
	    find_signer(req, &rec, &s, err) < 0) {
		if (err && *err)
			(*err)->status = BENTO_EXIT_RUNTIME;
		return -1;
	}
	if (!rec.present) {
		autofree char *data = xasprintf("%s/.var/app/%s", req->home, req->app_id);
		struct stat st;
		if (lstat(data, &st) == 0)
			return refusal(
			    err,
			    "%s: %s exists, and bento did not make it (Flatpak keeps its "
			    "apps' data there): it is not handed to this file.  If it "
			    "belongs to this file's app, hand it over with `bento trust %s`",
			    req->file, data, req->file);
		bind_to(&rec, req, &s);
		return write_record(req->app_id, &rec, err);
	}
	if (rec.key) {
		if (s.key == NULL || strcasecmp(s.key, rec.key) != 0) {
			autofree char *owner = xasprintf("the files signed by key %s", rec.key);
			return refuse(req, owner, &s, err);
		}
		if (s.from_record || req->img == NULL)
			return 0;
		/* Remember the check for the next launch of this file. */
		bind_to(&rec, req, &s);
		return write_record(req->app_id, &rec, err);
	}
	if (strcmp(rec.file, req->file) != 0) {
		autofree char *owner = xasprintf("the unsigned file %s", rec.file);
		return refuse(req, owner, &s, err);
	}
	if (s.key) {
		/* The unsigned file was replaced by a signed one: the id goes
		 * with its key from now on. */
		bento_note("%s is now signed, by key %s: the app id %s belongs to that key",
		           req->file, s.key, req->app_id);
		bind_to(&rec, req, &s);
		return write_record(req->app_id, &rec, err);
	}
	return 0;
}

int bento_identity_trust(const bento_identity_request *req, char **owner, bento_error **err)
{
	__attribute__((cleanup(id_record_clear))) id_record rec = {0};
	__attribute__((cleanup(file_signer_clear))) file_signer s = {0};
	if (check_file_path(req, err) < 0 || find_signer(req, NULL, &s, err) < 0)
		return -1;
	if (s.unchecked)
		return bento_error_set(err, EINVAL, "%s: cannot check its signature: %s", req->file,
		                       s.unchecked);
	bind_to(&rec, req, &s);
	if (write_record(req->app_id, &rec, err) < 0)
		return -1;
	*owner = s.key ? xasprintf("the key %s%s%s%s", s.key, s.user_id ? " (" : "",
	                           s.user_id ? s.user_id : "", s.user_id ? ")" : "")
	               : xasprintf("the unsigned file %s", req->file);
	return 0;
}
