/* pcapfloor.c - the benchmark floor: a bare libpcap read loop that touches every frame and
 * does nothing else.  otscope cannot be faster than reading the file. */
#include <pcap/pcap.h>
#include <stdio.h>
#include <time.h>

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: pcapfloor FILE.pcap\n");
        return 2;
    }
    char err[PCAP_ERRBUF_SIZE];
    pcap_t *p = pcap_open_offline(argv[1], err);
    if (!p) {
        fprintf(stderr, "pcapfloor: %s\n", err);
        return 3;
    }
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    struct pcap_pkthdr *h;
    const u_char *d;
    unsigned long long n = 0, bytes = 0, sum = 0;
    while (pcap_next_ex(p, &h, &d) == 1) {
        n++;
        bytes += h->len;
        sum += h->caplen ? d[h->caplen - 1] : 0; /* touch the data */
    }
    clock_gettime(CLOCK_MONOTONIC, &b);
    double s = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
    printf("packets %llu bytes %llu seconds %.3f checksum %llu\n", n, bytes, s, sum & 0xff);
    pcap_close(p);
    return 0;
}
