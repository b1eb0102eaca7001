#ifndef LOOPLINE_CLIBPQ_SHIM_H
#define LOOPLINE_CLIBPQ_SHIM_H

// The one place that includes libpq. Only the Postgres module imports CLibPQ.
#include <libpq-fe.h>

#endif
