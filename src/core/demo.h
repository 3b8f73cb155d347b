/* demo.h - being written. */
#ifndef ISP_DEMO_H
#define ISP_DEMO_H
#endif
