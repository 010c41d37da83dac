#!/bin/sh
# Initialise the data directory only when it is empty (a new volume); otherwise reuse what is there.
set -e
chown -R mysql:mysql /var/lib/mysql /run/mysqld
if [ ! -d /var/lib/mysql/mysql ]; then
    echo "initialising a new data directory in /var/lib/mysql"
    mariadb-install-db --user=mysql --datadir=/var/lib/mysql --skip-test-db > /dev/null
else
    echo "reusing the existing data in /var/lib/mysql"
fi
exec mariadbd --user=mysql --datadir=/var/lib/mysql --bind-address=0.0.0.0 --skip-name-resolve
