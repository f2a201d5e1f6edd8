/*
 * Which socket a watcher watches. libpq may close its socket and open another during a
 * connection attempt (the next host of a multi-host DSN, another address of a name), and
 * the new socket often gets the same descriptor number: a watcher kept for that number
 * would watch nothing. A socket's inode tells them apart.
 */
#ifndef IMS_DB_SOCKET_H
#define IMS_DB_SOCKET_H

#include <sys/stat.h>

/* The socket's inode, or 0 when fd is not open. */
static inline unsigned long long db_socket_id(int fd)
{
    struct stat st;
    return fd >= 0 && fstat(fd, &st) == 0 ? (unsigned long long)st.st_ino : 0;
}

#endif
