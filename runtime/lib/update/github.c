/* SPDX-License-Identifier: MIT */
/* gh-releases-zsync: GitHub's releases API names the control file.  The
 * answer is a JSON object {"tag_name": ..., "assets": [{"name": ...,
 * "browser_download_url": ...}, ...]}; the first asset whose name matches
 * the pattern (fnmatch) gives the URL.  The server may be hostile: the answer
 * is bounded in size and nesting, and what is taken from it is checked. */
#include <curl/curl.h>
#include <errno.h>
#include <fnmatch.h>
#include <json-c/json.h>
#include <string.h>

#include "core/util.h"
#include "update/updinfo.h"

#define GITHUB_API_DEFAULT "https://api.github.com"
/* A release with hundreds of assets is a few hundred KiB. */
#define RELEASE_MAX (8u << 20)
#define JSON_DEPTH 16

typedef struct body {
	char *data;
	size_t len;
	bool too_big;
} body;

static size_t on_data(char *ptr, size_t size, size_t n, void *userdata)
{
	body *b = userdata;
	size_t len = size * n;
	if (b->len + len > RELEASE_MAX) {
		b->too_big = true;
		return 0;
	}
	char *grown = realloc(b->data, b->len + len + 1);
	if (grown == NULL)
		return 0;
	b->data = grown;
	memcpy(b->data + b->len, ptr, len);
	b->len += len;
	b->data[b->len] = '\0';
	return len;
}

static int get(const char *url, body *b, bento_error **err)
{
	CURL *curl = curl_easy_init();
	if (curl == NULL)
		return bento_error_set(err, ENOMEM, "%s: cannot set up libcurl", url);
	struct curl_slist *headers = curl_slist_append(NULL, "Accept: application/vnd.github+json");
	char errbuf[CURL_ERROR_SIZE] = "";
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(curl, CURLOPT_USERAGENT, "bento/" BENTO_VERSION);
	curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(curl, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(curl, CURLOPT_MAXREDIRS, 5L);
	curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 30L);
	curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, 60L);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, b);
	CURLcode rc = curl_easy_perform(curl);
	long status = 0;
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
	curl_slist_free_all(headers);
	curl_easy_cleanup(curl);
	if (b->too_big)
		return bento_error_set(err, EFBIG, "%s: the release list is larger than %u bytes",
		                       url, RELEASE_MAX);
	if (rc != CURLE_OK)
		return bento_error_set(err, EIO, "%s: %s", url,
		                       errbuf[0] ? errbuf : curl_easy_strerror(rc));
	if (status == 404)
		return bento_error_set(err, ENOENT, "%s: no such release (HTTP 404)", url);
	if (status != 200)
		return bento_error_set(err, EIO, "%s: HTTP status %ld", url, status);
	return 0;
}

static const char *string_member(json_object *o, const char *key)
{
	json_object *v;
	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

/* s for a message, unless the server put control characters (a terminal's
 * escape sequences) or too much in it. */
static const char *printable(const char *s)
{
	size_t n = 0;
	for (const char *p = s; *p; p++, n++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f || n > 200)
			return "(a name with control characters or too long)";
	return s;
}

static void json_putp(json_object **o)
{
	if (*o)
		json_object_put(*o);
}

/* The parsed answer, refused unless it is one JSON object and nothing more. */
static json_object *parse(const char *url, const body *b, bento_error **err)
{
	json_tokener *tok = json_tokener_new_ex(JSON_DEPTH);
	if (tok == NULL)
		return bento_error_set(err, ENOMEM, "%s: cannot parse JSON", url), NULL;
	json_object *root = json_tokener_parse_ex(tok, b->data ? b->data : "", (int)b->len);
	enum json_tokener_error jerr = json_tokener_get_error(tok);
	size_t end = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	if (root != NULL && jerr == json_tokener_success && end == b->len &&
	    json_object_is_type(root, json_type_object))
		return root;
	bento_error_set(err, EINVAL, "%s: the release list is not a JSON object (%s)", url,
	                root == NULL || jerr != json_tokener_success ? json_tokener_error_desc(jerr)
	                : end != b->len                              ? "data after it"
	                                                             : "another JSON value");
	if (root)
		json_object_put(root);
	return NULL;
}

/* The URL of the first asset whose name matches u->pattern. */
static int pick_asset(const bento_updinfo *u, const char *url, const body *b, char **out,
                      bento_error **err)
{
	__attribute__((cleanup(json_putp))) json_object *root = parse(url, b, err);
	json_object *assets;
	if (root == NULL)
		return -1;
	if (!json_object_object_get_ex(root, "assets", &assets) ||
	    !json_object_is_type(assets, json_type_array))
		return bento_error_set(err, EINVAL, "%s: the release list has no \"assets\" array",
		                       url);
	size_t n = json_object_array_length(assets);
	for (size_t i = 0; i < n; i++) {
		json_object *asset = json_object_array_get_idx(assets, i);
		if (!json_object_is_type(asset, json_type_object))
			continue;
		const char *name = string_member(asset, "name");
		if (name == NULL || fnmatch(u->pattern, name, FNM_PATHNAME | FNM_PERIOD) != 0)
			continue;
		const char *link = string_member(asset, "browser_download_url");
		if (link == NULL || !bento_updinfo_is_http_url(link))
			return bento_error_set(err, EINVAL,
			                       "%s: the asset %s matches %s but has no http(s) "
			                       "browser_download_url",
			                       url, printable(name), u->pattern);
		bento_debug("%s: the asset %s matches %s: %s", url, printable(name), u->pattern,
		            link);
		*out = xstrdup(link);
		return 0;
	}
	const char *tag = string_member(root, "tag_name");
	return bento_error_set(err, ENOENT, "%s: no asset of the release%s%s matches %s", url,
	                       tag ? " " : "", tag ? printable(tag) : "", u->pattern);
}

int bento_github_control_url(const bento_updinfo *u, char **url, bento_error **err)
{
	const char *base = getenv("BENTO_GITHUB_API_URL");
	if (base == NULL || base[0] == '\0')
		base = GITHUB_API_DEFAULT;
	if (!bento_updinfo_is_http_url(base))
		return bento_error_set(
		    err, EINVAL, "BENTO_GITHUB_API_URL=%s: expected an http:// or https:// URL",
		    base);
	size_t blen = strlen(base);
	while (blen > 0 && base[blen - 1] == '/')
		blen--;
	autofree char *api = NULL;
	if (strcmp(u->tag, "latest") == 0) {
		api = xasprintf("%.*s/repos/%s/%s/releases/latest", (int)blen, base, u->user,
		                u->repo);
	} else {
		char *tag = curl_easy_escape(NULL, u->tag, 0);
		if (tag == NULL)
			return bento_error_set(err, ENOMEM, "cannot escape the tag %s", u->tag);
		api = xasprintf("%.*s/repos/%s/%s/releases/tags/%s", (int)blen, base, u->user,
		                u->repo, tag);
		curl_free(tag);
	}
	body b = {0};
	int r = get(api, &b, err);
	if (r == 0)
		r = pick_asset(u, api, &b, url, err);
	free(b.data);
	return r;
}
