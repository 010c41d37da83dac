/* 3.2: 같은 프로그램을 동적 링크와 정적 링크로 빌드합니다. 실행 중인 커널 버전을 출력합니다. */
#include <stdio.h>
#include <sys/utsname.h>

int main(void) {
    struct utsname u;
    uname(&u);
    printf("Hello from a %s binary! kernel=%s machine=%s\n", LINK_KIND, u.release, u.machine);
    return 0;
}
