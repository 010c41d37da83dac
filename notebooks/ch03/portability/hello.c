/* 3.2: the same program linked dynamically and statically; it prints the kernel it runs on. */
#include <stdio.h>
#include <sys/utsname.h>

int main(void) {
    struct utsname u;
    uname(&u);
    printf("Hello from a %s binary! kernel=%s machine=%s\n", LINK_KIND, u.release, u.machine);
    return 0;
}
