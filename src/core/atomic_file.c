/* atomic_file.c: write-to-temp-then-rename, so outputs are all or nothing.
 * The temp file lives in the target's directory (rename stays on one file
 * system). Does not fsync: protects against our own failures, not power loss. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "spartan/core.h"

int sp_atomic_open(sp_atomic_file *f, const char *path)
{
    f->fp = NULL;
    f->path = NULL;
    f->tmp_path = NULL;
    size_t len = strlen(path);
    f->path = sp_malloc(len + 1);
    f->tmp_path = sp_malloc(len + 16);
    if (!f->path || !f->tmp_path) {
        free(f->path);
        free(f->tmp_path);
        return SP_ENOMEM;
    }
    memcpy(f->path, path, len + 1);
    snprintf(f->tmp_path, len + 16, "%s.tmp.XXXXXX", path);
    int fd = mkstemp(f->tmp_path);
    if (fd < 0) {
        int err = errno;
        free(f->path);
        free(f->tmp_path);
        f->path = f->tmp_path = NULL;
        return sp_error(SP_EIO, "%s: cannot create output file: %s", path, strerror(err));
    }
    mode_t mask = umask(0);
    umask(mask);
    fchmod(fd, 0666 & ~mask); /* mkstemp makes 0600; outputs get the usual mode */
    f->fp = fdopen(fd, "w");
    if (!f->fp) {
        close(fd);
        unlink(f->tmp_path);
        sp_atomic_abort(f);
        return sp_error(SP_EIO, "%s: cannot open output stream", path);
    }
    return SP_OK;
}

int sp_atomic_commit(sp_atomic_file *f)
{
    int rc = SP_OK;
    int write_err = ferror(f->fp);
    if (fclose(f->fp) != 0 || write_err)
        rc = sp_error(SP_EIO, "%s: write failed (disk full?)", f->path);
    f->fp = NULL;
    if (rc == SP_OK && rename(f->tmp_path, f->path) != 0)
        rc = sp_error(SP_EIO, "%s: cannot rename temp file into place: %s", f->path,
                      strerror(errno));
    if (rc != SP_OK) unlink(f->tmp_path);
    free(f->path);
    free(f->tmp_path);
    f->path = f->tmp_path = NULL;
    return rc;
}

void sp_atomic_abort(sp_atomic_file *f)
{
    if (f->fp) fclose(f->fp);
    if (f->tmp_path) unlink(f->tmp_path);
    free(f->path);
    free(f->tmp_path);
    f->fp = NULL;
    f->path = f->tmp_path = NULL;
}
