/* A stand-in for libFuzzer's main, for the regular (gcc) test run: feeds
 * every file named on the command line, or found in a directory named
 * there, to LLVMFuzzerTestOneInput once. Corpus regression, no fuzzing. */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *data;
	long size;

	if (f == NULL || fseek(f, 0, SEEK_END) < 0 || (size = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) < 0) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		if (f)
			fclose(f);
		return -1;
	}
	/* Exactly sized, so the sanitizers see a read past the input. */
	data = malloc(size ? (size_t)size : 1);
	if (data == NULL || fread(data, 1, (size_t)size, f) != (size_t)size) {
		fprintf(stderr, "%s: cannot read\n", path);
		free(data);
		fclose(f);
		return -1;
	}
	fclose(f);
	LLVMFuzzerTestOneInput(data, (size_t)size);
	free(data);
	return 0;
}

int main(int argc, char **argv)
{
	int files = 0, failures = 0;

	for (int i = 1; i < argc; i++) {
		struct dirent **entries;
		struct stat st;
		int n;

		if (stat(argv[i], &st) < 0) {
			fprintf(stderr, "%s: %s\n", argv[i], strerror(errno));
			return 1;
		}
		if (!S_ISDIR(st.st_mode)) {
			failures += run_file(argv[i]) < 0;
			files++;
			continue;
		}
		if ((n = scandir(argv[i], &entries, NULL, alphasort)) < 0)
			return 1;
		for (int j = 0; j < n; j++) {
			char path[4096];
			if (entries[j]->d_name[0] != '.') {
				snprintf(path, sizeof(path), "%s/%s", argv[i], entries[j]->d_name);
				if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
					failures += run_file(path) < 0;
					files++;
				}
			}
			free(entries[j]);
		}
		free(entries);
	}
	printf("%d inputs ran, %d unreadable\n", files, failures);
	/* An empty corpus tests nothing: fail rather than pass silently. */
	return files == 0 || failures ? 1 : 0;
}
