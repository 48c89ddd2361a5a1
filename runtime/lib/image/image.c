/* SPDX-License-Identifier: MIT */
#include "image/image.h"

#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>

#include "core/elf_layout.h"
#include "core/util.h"
#include "image/decompress.h"

static int image_fail(bento_error **err, const char *path, int errnum, const char *what)
{
	bento_error_set(err, errnum, "%s: %s", path, what);
	(*err)->status = BENTO_EXIT_RUNTIME;
	return -1;
}

/* libsquashfuse trusts the superblock; check what it would use to seek and
 * allocate before handing the file over. */
static int check_superblock(bento_image *img, bento_error **err)
{
	struct squashfs_super_block *sb = &img->sb;
	uint64_t avail = (uint64_t)img->st.st_size - img->offset;
	ssize_t n = bento_pread_all(img->fd, sb, sizeof(*sb), (off_t)img->offset);
	if (n < 0)
		return bento_error_errno(err, "cannot read the SquashFS superblock");
	if (n == 0)
		return bento_error_set(err, ENOEXEC,
		                       "no SquashFS payload after the runtime (offset %llu is the "
		                       "end of the file)",
		                       (unsigned long long)img->offset);
	if ((size_t)n < sizeof(*sb))
		return bento_error_set(err, ENOEXEC, "truncated SquashFS superblock at offset %llu",
		                       (unsigned long long)img->offset);
	if (le32toh(sb->s_magic) != SQUASHFS_MAGIC)
		return bento_error_set(err, ENOEXEC,
		                       "no SquashFS payload at offset %llu (bad magic): not an "
		                       "AppImage, or a corrupt one",
		                       (unsigned long long)img->offset);
	if (le16toh(sb->s_major) != 4 || le16toh(sb->s_minor) != 0)
		return bento_error_set(err, ENOEXEC, "unsupported SquashFS version %u.%u",
		                       le16toh(sb->s_major), le16toh(sb->s_minor));
	if (le16toh(sb->compression) == LZO_COMPRESSION)
		return bento_error_set(err, ENOTSUP,
		                       "LZO-compressed images are not supported (repack with zstd, "
		                       "gzip, xz or lz4)");
	uint32_t block_size = le32toh(sb->block_size);
	uint16_t block_log = le16toh(sb->block_log);
	if (block_size < 4096 || block_size > (1u << 20) || block_log > 20 ||
	    (1u << block_log) != block_size)
		return bento_error_set(err, ENOEXEC, "corrupt SquashFS superblock (block size %u)",
		                       block_size);
	uint64_t used = le64toh(sb->bytes_used);
	if (used > avail)
		return bento_error_set(err, ENOEXEC,
		                       "truncated file: the SquashFS image needs %llu bytes but "
		                       "only %llu follow the runtime",
		                       (unsigned long long)used, (unsigned long long)avail);
	uint64_t starts[] = {le64toh(sb->inode_table_start), le64toh(sb->directory_table_start),
	                     le64toh(sb->id_table_start)};
	for (size_t i = 0; i < ARRAY_SIZE(starts); i++)
		if (starts[i] >= used)
			return bento_error_set(err, ENOEXEC,
			                       "corrupt SquashFS superblock (table offset %llu "
			                       "beyond the image)",
			                       (unsigned long long)starts[i]);
	if (le16toh(sb->no_ids) == 0 || le32toh(sb->inodes) == 0)
		return bento_error_set(err, ENOEXEC, "corrupt SquashFS superblock (no inodes)");
	return 0;
}

static int open_payload(bento_image *img, bento_error **err)
{
	if (!S_ISREG(img->st.st_mode))
		return bento_error_set(err, EINVAL, "not a regular file");
	int magic = bento_elf_has_appimage_magic(img->fd, err);
	if (magic < 0)
		return -1;
	if (bento_elf_payload_offset(img->fd, (uint64_t)img->st.st_size, &img->offset, err) < 0)
		return -1;
	if (!magic)
		return bento_error_set(err, ENOEXEC,
		                       "not an AppImage (no AppImage Type 2 magic at offset 8)");
	if (check_superblock(img, err) < 0)
		return -1;
	sqfs_err r = sqfs_init(&img->fs, img->fd, (size_t)img->offset);
	if (r != SQFS_OK)
		return bento_error_set(err, ENOEXEC, "corrupt or unsupported SquashFS image (%s)",
		                       r == SQFS_BADCOMP      ? "unsupported compression"
		                       : r == SQFS_BADVERSION ? "unsupported version"
		                                              : "cannot read its tables");
	img->fs_ready = true;
	bento_decompress_tune(&img->fs);
	return 0;
}

int bento_image_open(const char *path, bento_image **out, bento_error **err)
{
	bento_image *img = xcalloc(1, sizeof(*img));
	img->path = xstrdup(path);
	img->fd = open(path, O_RDONLY | O_CLOEXEC);
	auto_bento_error local = NULL;
	if (img->fd < 0)
		bento_error_errno(&local, "cannot open");
	else if (fstat(img->fd, &img->st) < 0)
		bento_error_errno(&local, "cannot stat");
	else
		open_payload(img, &local);
	if (local) {
		image_fail(err, path, local->errnum, local->message);
		bento_image_free(img);
		return -1;
	}
	*out = img;
	return 0;
}

void bento_sqfs_destroy(sqfs *fs)
{
	sqfs_destroy(fs);
	/* libsquashfuse 0.1 does not free the xattr table itself. */
	sqfs_table_destroy(&fs->xattr_table);
}

void bento_image_free(bento_image *img)
{
	if (img == NULL)
		return;
	if (img->fs_ready)
		bento_sqfs_destroy(&img->fs);
	if (img->fd >= 0)
		close(img->fd);
	free(img->path);
	free(img);
}

const char *bento_image_compression_name(const bento_image *img)
{
	switch (le16toh(img->sb.compression)) {
	case ZLIB_COMPRESSION:
		return "gzip";
	case LZMA_COMPRESSION:
		return "lzma";
	case LZO_COMPRESSION:
		return "lzo";
	case XZ_COMPRESSION:
		return "xz";
	case LZ4_COMPRESSION:
		return "lz4";
	case ZSTD_COMPRESSION:
		return "zstd";
	default:
		return "unknown";
	}
}

int bento_image_read_file(bento_image *img, const char *path, size_t max, char **data, size_t *len,
                          bento_error **err)
{
	sqfs_inode inode;
	bool found = true;
	if (bento_inode_get(&img->fs, &inode, sqfs_inode_root(&img->fs)) != SQFS_OK)
		return bento_error_set(err, EIO, "%s: cannot read the root directory", img->path);
	autofree bento_sqfs_name *namebuf = xmalloc(sizeof(*namebuf));
	autofree char *copy = xstrdup(path);
	char *save = NULL;
	for (char *part = strtok_r(copy, "/", &save); part && found;
	     part = strtok_r(NULL, "/", &save)) {
		sqfs_dir_entry entry;
		sqfs_dentry_init(&entry, namebuf->name);
		if (!S_ISDIR(inode.base.mode | sqfs_mode(inode.base.inode_type)))
			return 0;
		if (bento_dir_lookup(&img->fs, &inode, part, &entry, &found) != SQFS_OK ||
		    (found &&
		     bento_inode_get(&img->fs, &inode, sqfs_dentry_inode(&entry)) != SQFS_OK))
			return bento_error_set(err, EIO, "%s: cannot look up %s in the image",
			                       img->path, path);
	}
	if (!found || !S_ISREG(inode.base.mode | sqfs_mode(inode.base.inode_type)))
		return 0;
	if (inode.xtra.reg.file_size > max)
		return bento_error_set(err, EFBIG, "%s: %s is larger than %zu bytes", img->path,
		                       path, max);
	sqfs_off_t size = (sqfs_off_t)inode.xtra.reg.file_size;
	autofree char *buf = xmalloc((size_t)size + 1);
	if (sqfs_read_range(&img->fs, &inode, 0, &size, buf) != SQFS_OK)
		return bento_error_set(err, EIO, "%s: cannot read %s from the image", img->path,
		                       path);
	buf[size] = '\0';
	*len = (size_t)size;
	*data = steal_pointer(&buf);
	return 1;
}

int bento_image_read_section(bento_image *img, const char *name, char **data, size_t *len,
                             bento_error **err)
{
	bento_elf_section sec;
	*data = NULL;
	*len = 0;
	int found = bento_elf_find_section(img->fd, (uint64_t)img->st.st_size, name, &sec, err);
	if (found <= 0) {
		bento_error_prefix(err, "%s", img->path);
		return found;
	}
	autofree char *buf = xmalloc(sec.size + 1);
	if (bento_pread_all(img->fd, buf, sec.size, (off_t)sec.offset) != (ssize_t)sec.size)
		return bento_error_set(err, EIO, "%s: cannot read section %s", img->path, name);
	buf[sec.size] = '\0';
	*len = strnlen(buf, sec.size);
	*data = steal_pointer(&buf);
	return 1;
}

char *bento_image_identity(const bento_image *img)
{
	const struct stat *st = &img->st;
	return xasprintf("%llx-%llx-%llx-%llx.%09ld-%llx.%09ld", (unsigned long long)st->st_dev,
	                 (unsigned long long)st->st_ino, (unsigned long long)st->st_size,
	                 (unsigned long long)st->st_mtim.tv_sec, st->st_mtim.tv_nsec,
	                 (unsigned long long)st->st_ctim.tv_sec, st->st_ctim.tv_nsec);
}

sqfs_err bento_dir_lookup(sqfs *fs, sqfs_inode *dir, const char *name, sqfs_dir_entry *entry,
                          bool *found)
{
	sqfs_dir d;
	sqfs_err err = SQFS_OK;
	*found = false;
	if (sqfs_dir_open(fs, dir, &d, 0) != SQFS_OK)
		return SQFS_ERR;
	while (sqfs_dir_next(fs, &d, entry, &err)) {
		if (sqfs_dentry_name_size(entry) > SQUASHFS_NAME_LEN)
			return SQFS_ERR;
		int order = strcmp(sqfs_dentry_name(entry), name);
		if (order == 0) {
			*found = true;
			return SQFS_OK;
		}
		if (order > 0) /* entries are sorted */
			break;
	}
	return err;
}

/* What libsquashfuse uses of an inode without checking it. */
static bool inode_is_sane(sqfs *fs, const sqfs_inode *inode)
{
	mode_t mode = inode->base.mode | sqfs_mode(inode->base.inode_type);
	uint32_t block_size = fs->sb.block_size;
	if (S_ISDIR(mode))
		return inode->xtra.dir.offset < SQUASHFS_METADATA_SIZE;
	if (S_ISLNK(mode))
		return inode->xtra.symlink_size <= PATH_MAX;
	if (!S_ISREG(mode))
		return true;
	/* Data lies after the superblock (block caches take offset 0 for
	 * "empty"); a fragment must exist and hold the file's tail. */
	bool fragment = inode->xtra.reg.frag_idx != SQUASHFS_INVALID_FRAG;
	bool blocks =
	    inode->xtra.reg.file_size >= block_size || (!fragment && inode->xtra.reg.file_size > 0);
	if (blocks && inode->xtra.reg.start_block < sizeof(struct squashfs_super_block))
		return false;
	if (!fragment)
		return true;
	if (inode->xtra.reg.frag_idx >= fs->sb.fragments ||
	    (uint64_t)inode->xtra.reg.frag_off + inode->xtra.reg.file_size % block_size >
	        block_size)
		return false;
	struct squashfs_fragment_entry frag;
	if (sqfs_frag_entry(fs, &frag, inode->xtra.reg.frag_idx) != SQFS_OK)
		return false;
	return frag.start_block >= sizeof(struct squashfs_super_block) &&
	       (frag.size & ~(1u << 24)) <= block_size;
}

sqfs_err bento_inode_get(sqfs *fs, sqfs_inode *inode, sqfs_inode_id id)
{
	if ((id & 0xffff) >= SQUASHFS_METADATA_SIZE)
		return SQFS_ERR;
	sqfs_err err = sqfs_inode_get(fs, inode, id);
	if (err == SQFS_OK && !inode_is_sane(fs, inode))
		err = SQFS_BADFORMAT;
	return err;
}
