/* SPDX-License-Identifier: MIT */
/* The exit statuses of bento's programs, each defined once: the stub, `bento`
 * and `bento-builder` document them in their man pages. */
#ifndef BENTO_EXIT_H
#define BENTO_EXIT_H

/* Something went wrong: a build failed, a file could not be written, an
 * invalid manifest or signature. */
#define BENTO_EXIT_FAILURE 1
/* The command line is wrong. */
#define BENTO_EXIT_USAGE 2
/* `bento verify`: the file carries no signature. */
#define BENTO_EXIT_UNSIGNED 3
/* `bento update` and `bento rollback`: another bento is updating the file. */
#define BENTO_EXIT_BUSY 4
/* The runtime could not start the app (a broken image, invalid metadata,
 * a refused sandbox), as AppImage's runtime does; also a child of the
 * runtime that could not become the app. */
#define BENTO_EXIT_RUNTIME 127

#endif
