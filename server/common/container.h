/*
 * container_of: the struct that embeds a member, from a pointer to the member. Handles
 * (uv_tcp_t, uv_poll_t, uv_timer_t) are embedded in their owners and found this way.
 */
#ifndef IMS_CONTAINER_H
#define IMS_CONTAINER_H

#include <stddef.h>

#define container_of(ptr, type, member) ((type *)(void *)((char *)(ptr)-offsetof(type, member)))

#endif
