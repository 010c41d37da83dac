#!/bin/sh
# 데이터 디렉터리가 비어 있을 때(새 볼륨)만 초기화하고, 아니면 있는 데이터를 그대로 씁니다.
set -e
chown -R mysql:mysql /var/lib/mysql /run/mysqld
if [ ! -d /var/lib/mysql/mysql ]; then
    echo "initialising a new data directory in /var/lib/mysql"
    mariadb-install-db --user=mysql --datadir=/var/lib/mysql --skip-test-db > /dev/null
else
    echo "reusing the existing data in /var/lib/mysql"
fi
exec mariadbd --user=mysql --datadir=/var/lib/mysql --bind-address=0.0.0.0 --skip-name-resolve
