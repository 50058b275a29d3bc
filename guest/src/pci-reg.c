/*
 * Read or write one 32-bit register of a PCI memory BAR through sysfs,
 * for tests that must look under a driver (the emulated DSA's halt
 * injection register, WQCFG as the device holds it).
 *
 *   pci-reg BDF BAR OFFSET            print the register (0x%08x)
 *   pci-reg BDF BAR OFFSET VALUE      write it
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static int parse(const char *s, unsigned long *v)
{
	char *end;

	errno = 0;
	*v = strtoul(s, &end, 0);
	return errno || !*s || *end ? -1 : 0;
}

int main(int argc, char **argv)
{
	unsigned long bar, off, val = 0;
	volatile uint32_t *reg;
	char path[256];
	struct stat st;
	void *map;
	long page = sysconf(_SC_PAGESIZE);
	int fd;

	if ((argc != 4 && argc != 5) || parse(argv[2], &bar) || bar > 5 ||
	    parse(argv[3], &off) || (off & 3) ||
	    (argc == 5 && (parse(argv[4], &val) || val > UINT32_MAX))) {
		fprintf(stderr, "usage: %s BDF BAR OFFSET [VALUE]\n", argv[0]);
		return 2;
	}
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/resource%lu",
		 argv[1], bar);
	fd = open(path, argc == 5 ? O_RDWR : O_RDONLY);
	if (fd < 0 || fstat(fd, &st)) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return 1;
	}
	if (off + 4 > (unsigned long)st.st_size) {
		fprintf(stderr, "offset %#lx is beyond BAR%lu (%#lx bytes)\n",
			off, bar, (unsigned long)st.st_size);
		return 1;
	}
	map = mmap(NULL, page, argc == 5 ? PROT_READ | PROT_WRITE : PROT_READ,
		   MAP_SHARED, fd, off & ~(page - 1));
	if (map == MAP_FAILED) {
		fprintf(stderr, "mmap %s: %s\n", path, strerror(errno));
		return 1;
	}
	reg = (volatile uint32_t *)((char *)map + (off & (page - 1)));
	if (argc == 5)
		*reg = val;
	else
		printf("0x%08x\n", *reg);
	munmap(map, page);
	close(fd);
	return 0;
}
