/*
 * fsync-on-close.c - an LD_PRELOAD shim for the benchmarks only: a DCMTK receiver (storescp) made durable in-process.
 *
 * storescp never fsyncs what it receives, so it answers Success for files the page cache may still lose. Our
 * receivers answer only once the file and its name are on disk. storescp's own way to get there is
 * --exec-on-reception "sync FILE" --exec-sync, but that forks and execs a process per file, which here costs more
 * than the fsync itself and flatters us. This shim instead makes every regular file the program wrote durable when
 * it is closed, inside the same process, before storescp goes on to send its response:
 *
 *   fclose(f)  ->  fflush(f); fsync(fileno(f)); fsync(directory named by FSYNC_ON_CLOSE_DIR, if set); fclose(f)
 *
 * which is what our scp does per instance (fsync of the file, then of its directory after the rename).
 * Files opened read-only are left alone. A failed flush or sync is written to stderr and fclose returns EOF, so a
 * receiver that checks fclose reports the failure as it would a failed write.
 *
 * Build: cc -O2 -shared -fPIC -o fsync-on-close.so fsync-on-close.c -ldl
 * Use:   LD_PRELOAD=/path/fsync-on-close.so FSYNC_ON_CLOSE_DIR=/rx storescp -od /rx ...
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int (*real_fclose)(FILE *);
static int directory_fd = -2;

static void sync_directory(void)
{
    if (directory_fd == -2) {
        const char *dir = getenv("FSYNC_ON_CLOSE_DIR");
        directory_fd = dir != NULL && dir[0] != '\0' ? open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
    }
    if (directory_fd >= 0 && fsync(directory_fd) != 0) {
        fprintf(stderr, "fsync-on-close: fsync of the directory failed: %s\n", strerror(errno));
    }
}

int fclose(FILE *f)
{
    if (real_fclose == NULL) {
        real_fclose = (int (*)(FILE *))dlsym(RTLD_NEXT, "fclose");
        if (real_fclose == NULL) {
            abort();
        }
    }
    int failed = 0;
    int fd = f != NULL ? fileno(f) : -1;
    int flags = fd >= 0 ? fcntl(fd, F_GETFL) : -1;
    struct stat st;
    if (flags >= 0 && (flags & O_ACCMODE) != O_RDONLY && fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
        if (fflush(f) != 0 || fsync(fd) != 0) {
            fprintf(stderr, "fsync-on-close: flush or fsync failed: %s\n", strerror(errno));
            failed = 1;
        }
        sync_directory();
    }
    int rc = real_fclose(f);
    return failed ? EOF : rc;
}
