/* Links the no_std staticlib into a plain C program (libc, no Rust std) and calls the
 * probe: built and run by `ci/ci.sh nostd`. Exit 0 when every answer is the expected one. */
#include <stdint.h>
#include <stdio.h>

int64_t aiofile_nostd_probe(const uint8_t *src, size_t len, uint64_t offset);
int64_t aiofile_nostd_streams(const uint8_t *src, size_t len);

static int expect(const char *what, int64_t got, int64_t want) {
    if (got == want) {
        printf("  ok   %-34s = %lld\n", what, (long long)got);
        return 0;
    }
    printf("  FAIL %-34s = %lld, expected %lld\n", what, (long long)got, (long long)want);
    return 1;
}

int main(void) {
    static const uint8_t hello[] = "hello, no_std";
    static uint8_t big[100];
    int bad = 0;
    bad += expect("round trip of 13 bytes", aiofile_nostd_probe(hello, 13, 7), 13);
    bad += expect("round trip of 0 bytes", aiofile_nostd_probe(hello, 0, 0), 0);
    bad += expect("100 bytes capped at the 64-byte buf", aiofile_nostd_probe(big, 100, 0), 64);
    bad += expect("null source is -EBADF", aiofile_nostd_probe(NULL, 3, 0), -9);
    static const uint8_t lines[] = "alpha;beta;gamma\xce\xbb;delta;eps";
    bad += expect("streams: 5 lines on ';'", aiofile_nostd_streams(lines, sizeof lines - 1), 5);
    static const uint8_t bad_utf8[] = "ab\xff;";
    bad += expect("streams: invalid UTF-8 is -EINVAL", aiofile_nostd_streams(bad_utf8, 4), -22);
    return bad == 0 ? 0 : 1;
}
