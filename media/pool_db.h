/* One PostgreSQL connection per engine thread, opened on first use. */
#ifndef MEDIA_POOL_DB_H
#define MEDIA_POOL_DB_H
struct db;
struct db *pool_db(void);
#endif
