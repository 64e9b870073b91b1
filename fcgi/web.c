/* The process-wide state of voxline-web (see web.h). */
#include "web.h"

struct web_state web;
