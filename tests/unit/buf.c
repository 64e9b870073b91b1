/* Byte buffers: what a caller gets back from appends, printf, the hard
 * maximum, steal and reset. */
#include "tap.h"
#include "buf.h"
#include "fcgi/web.h"

#include <stdint.h>
#include <sys/wait.h>
#include <unistd.h>

/* Runs fn in a child so memory corruption cannot take the rest of the
 * test program down; 1 when the child exited 0. */
static int
in_child(int (*fn)(void))
{
	fflush(stdout);
	pid_t pid = fork();
	if (pid < 0)
		return 0;
	if (pid == 0)
		_exit(fn() ? 0 : 1);
	int st;
	if (waitpid(pid, &st, 0) != pid)
		return 0;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

/* A buffer whose maximum is SIZE_MAX ("no practical limit") must work
 * like any other: 100 appends of 100 bytes, contents intact. */
static int
unbounded_appends(void)
{
	struct buf b;
	char chunk[100];
	buf_init(&b, SIZE_MAX);
	for (int i = 0; i < 100; i++) {
		memset(chunk, 'a' + i % 26, sizeof chunk);
		if (buf_append(&b, chunk, sizeof chunk) != 0)
			return 0;
	}
	if (b.len != 10000 || b.data[10000] != '\0')
		return 0;
	for (int i = 0; i < 10000; i++)
		if (b.data[i] != 'a' + (i / 100) % 26)
			return 0;
	buf_free(&b);
	return 1;
}

int
main(void)
{
	struct buf b;

	/* Appends. */
	buf_init(&b, 1024);
	ok(b.data == NULL && b.len == 0, "a new buffer is empty and allocates nothing");
	is_int(buf_puts(&b, "hello"), 0, "buf_puts returns 0");
	is_int(buf_putc(&b, ','), 0, "buf_putc returns 0");
	is_int(buf_append(&b, " world!!!", 6), 0, "buf_append returns 0");
	is(b.data, "hello, world", "appends concatenate, append copies exactly n bytes");
	is_int(b.len, 12, "len counts the bytes appended");
	is_int(buf_append(&b, "", 0), 0, "appending nothing succeeds");
	is(b.data, "hello, world", "appending nothing changes nothing");
	is_int(buf_append(&b, "a\0b", 3), 0, "binary data with NUL appends");
	is_int(b.len, 15, "binary append counts the NUL");
	ok(memcmp(b.data + 12, "a\0b", 4) == 0, "binary bytes kept and data still NUL-terminated");
	buf_free(&b);
	ok(b.data == NULL && b.len == 0, "buf_free empties the buffer");

	/* printf. */
	buf_init(&b, 1024);
	is_int(buf_printf(&b, "%s=%d", "n", 42), 0, "buf_printf returns 0");
	is_int(buf_printf(&b, ";%05.1f;%x", 3.14159, 255u), 0, "second buf_printf returns 0");
	is(b.data, "n=42;003.1;ff", "buf_printf appends the formatted text");
	is_int(b.len, 13, "len after printf");
	is_int(buf_printf(&b, "%s", ""), 0, "empty printf succeeds");
	is_int(b.len, 13, "empty printf adds nothing");
	buf_free(&b);

	/* Growth across many reallocations keeps the contents. */
	buf_init(&b, 1 << 20);
	int same = 1;
	for (int i = 0; i < 10000; i++)
		if (buf_printf(&b, "%04d,", i % 10000) != 0)
			same = 0;
	ok(same, "10000 printf appends within the maximum all succeed");
	is_int(b.len, 50000, "50000 bytes appended");
	ok(strncmp(b.data, "0000,0001,0002,", 15) == 0 &&
	    strcmp(b.data + b.len - 10, "9998,9999,") == 0, "contents intact across growth");
	buf_free(&b);

	/* The hard maximum. */
	buf_init(&b, 10);
	is_int(buf_puts(&b, "0123456789"), 0, "appending exactly the maximum succeeds");
	is_int(b.len, 10, "buffer holds max bytes");
	is_int(buf_putc(&b, 'x'), -1, "one byte past the maximum returns -1");
	is(b.data, "0123456789", "failed putc leaves the contents intact");
	is_int(b.len, 10, "failed putc leaves len intact");
	is_int(buf_append(&b, "", 0), 0, "an empty append at the maximum still succeeds");
	buf_reset(&b);
	is_int(buf_puts(&b, "abcdefgh"), 0, "8 bytes fit");
	is_int(buf_puts(&b, "ijk"), -1, "an append that would cross the maximum returns -1");
	is(b.data, "abcdefgh", "the failed append wrote nothing (no partial data)");
	is_int(b.len, 8, "len unchanged after the failed append");
	is_int(buf_printf(&b, "%d", 123), -1, "printf past the maximum returns -1");
	is(b.data, "abcdefgh", "failed printf leaves contents intact");
	is_int(buf_printf(&b, "%d", 12), 0, "printf that exactly reaches the maximum succeeds");
	is(b.data, "abcdefgh12", "and appends its text");
	is_int(buf_append(&b, "x", SIZE_MAX), -1, "an absurd length is refused, not wrapped");
	is(b.data, "abcdefgh12", "contents intact after the absurd length");
	buf_free(&b);

	buf_init(&b, 0);
	is_int(buf_putc(&b, 'a'), -1, "a buffer with maximum 0 refuses any byte");
	is_int(b.len, 0, "and stays empty");
	buf_free(&b);

	ok(in_child(unbounded_appends), "a buffer with maximum SIZE_MAX grows and keeps its contents");

	/* steal / reset. */
	buf_init(&b, 100);
	buf_puts(&b, "take me");
	char *s = buf_steal(&b);
	is(s, "take me", "buf_steal hands over the contents");
	ok(b.data == NULL && b.len == 0, "the buffer is empty after steal");
	is_int(b.max, 100, "steal keeps the maximum");
	free(s);
	is_int(buf_puts(&b, "again"), 0, "the buffer is usable after steal");
	is(b.data, "again", "new contents after steal");
	buf_free(&b);

	buf_init(&b, 100);
	s = buf_steal(&b);
	is(s, "", "stealing from an unused buffer gives an empty string (not NULL)");
	free(s);

	buf_puts(&b, "some text");
	buf_reset(&b);
	is_int(b.len, 0, "reset empties the buffer");
	is(b.data, "", "reset leaves an empty NUL-terminated string");
	is_int(buf_puts(&b, "0123456789"), 0, "buffer reusable after reset");
	is(b.data, "0123456789", "new contents after reset");
	buf_free(&b);

	buf_init(&b, 100);
	buf_reset(&b);
	ok(b.data == NULL && b.len == 0, "reset of an unused buffer is harmless");
	buf_free(&b);

	return done_testing();
}
