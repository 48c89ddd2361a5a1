/* SPDX-License-Identifier: MIT */
/* counter: prints the number of its arguments and of the lines on stdin. */
#include <stdio.h>

int main(int argc, char **argv)
{
	(void)argv;
	long lines = 0;
	int c;
	while ((c = getchar()) != EOF)
		if (c == '\n')
			lines++;
	printf("%d arguments, %ld lines\n", argc - 1, lines);
	return 0;
}
