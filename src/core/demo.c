/* demo.c - being written. */
#include "config.h"
