/* SPDX-License-Identifier: MIT */
#include "core/keyfile.h"

#include <errno.h>
#include <string.h>

#include "core/util.h"

typedef struct entry {
	char *group;
	char *key;
	char *value;
	unsigned line;
} entry;

typedef struct kf_group {
	char *name;
	unsigned line;
} kf_group;

struct bento_keyfile {
	entry *entries;
	size_t count;
	kf_group *groups; /* every header, in file order */
	size_t n_groups;
};

static char *trim(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = strlen(s);
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
		s[--n] = '\0';
	return s;
}

static int parse_line(bento_keyfile *kf, char **group, char *line, unsigned lineno,
                      bento_error **err)
{
	line = trim(line);
	if (line[0] == '\0' || line[0] == '#')
		return 0;
	if (line[0] == '[') {
		char *close = strchr(line, ']');
		if (close == NULL || close[1] != '\0' || close == line + 1)
			return bento_error_set(err, EINVAL, "malformed group header \"%s\"", line);
		*close = '\0';
		free(*group);
		*group = xstrdup(line + 1);
		kf->groups = realloc(kf->groups, (kf->n_groups + 1) * sizeof(*kf->groups));
		if (kf->groups == NULL)
			abort();
		kf->groups[kf->n_groups++] = (kf_group){xstrdup(*group), lineno};
		return 0;
	}
	char *eq = strchr(line, '=');
	if (eq == NULL)
		return bento_error_set(err, EINVAL, "expected \"key=value\", found \"%s\"", line);
	if (*group == NULL)
		return bento_error_set(err, EINVAL, "key \"%s\" outside of any group", line);
	*eq = '\0';
	char *key = trim(line);
	if (key[0] == '\0')
		return bento_error_set(err, EINVAL, "empty key");
	kf->entries = realloc(kf->entries, (kf->count + 1) * sizeof(entry));
	if (kf->entries == NULL)
		abort();
	kf->entries[kf->count++] =
	    (entry){xstrdup(*group), xstrdup(key), xstrdup(trim(eq + 1)), lineno};
	return 0;
}

int bento_keyfile_parse(const char *name, const char *data, size_t len, bento_keyfile **out,
                        bento_error **err)
{
	if (memchr(data, '\0', len) != NULL)
		return bento_error_set(err, EINVAL, "%s: contains a NUL byte", name);
	bento_keyfile *kf = xcalloc(1, sizeof(*kf));
	autofree char *copy = strndup(data, len);
	autofree char *group = NULL;
	char *save = NULL;
	unsigned lineno = 0;
	/* strtok_r would merge empty lines and break the numbering. */
	for (char *line = copy; line != NULL; line = save) {
		lineno++;
		save = strchr(line, '\n');
		if (save)
			*save++ = '\0';
		if (parse_line(kf, &group, line, lineno, err) < 0) {
			bento_keyfile_free(kf);
			return bento_error_prefix(err, "%s:%u", name, lineno);
		}
	}
	*out = kf;
	return 0;
}

void bento_keyfile_free(bento_keyfile *kf)
{
	for (size_t i = 0; i < kf->count; i++) {
		free(kf->entries[i].group);
		free(kf->entries[i].key);
		free(kf->entries[i].value);
	}
	free(kf->entries);
	for (size_t i = 0; i < kf->n_groups; i++)
		free(kf->groups[i].name);
	free(kf->groups);
	free(kf);
}

const char *bento_keyfile_get(const bento_keyfile *kf, const char *group, const char *key)
{
	for (size_t i = kf->count; i-- > 0;)
		if (strcmp(kf->entries[i].group, group) == 0 &&
		    strcmp(kf->entries[i].key, key) == 0)
			return kf->entries[i].value;
	return NULL;
}

size_t bento_keyfile_n_entries(const bento_keyfile *kf)
{
	return kf->count;
}

bento_keyfile_entry bento_keyfile_nth(const bento_keyfile *kf, size_t i)
{
	const entry *e = &kf->entries[i];
	return (bento_keyfile_entry){e->group, e->key, e->value, e->line};
}

size_t bento_keyfile_n_groups(const bento_keyfile *kf)
{
	return kf->n_groups;
}

const char *bento_keyfile_group(const bento_keyfile *kf, size_t i, unsigned *line)
{
	if (line)
		*line = kf->groups[i].line;
	return kf->groups[i].name;
}
