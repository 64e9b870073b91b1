/* The fixed-delay engines stand for a provider reached over the network:
 * the wait costs no CPU and holds no thread.  The daemon runs them on the
 * call's loop when a timer of fixed_delay_ms() fires; the engine
 * functions themselves return at once. */
#ifndef MEDIA_FIXED_DELAY_H
#define MEDIA_FIXED_DELAY_H

int fixed_delay_engine(const char *name);   /* true for "fixed-delay" */
long fixed_delay_ms(void);

#endif
