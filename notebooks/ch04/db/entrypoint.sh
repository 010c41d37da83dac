#!/bin/sh
# Start MariaDB as the TODO app's primary or as one of its replicas.
#
# First start only (empty data directory): create the system tables, then run the role's init with a
# temporary server that does not listen on the network, so nobody sees a half-initialised database:
#   primary - database, application user, replication user, schema and seed rows (binary log on);
#   replica - wait for the primary, copy the database with a consistent snapshot that records the
#             primary's binary log position, then point replication at that position and start it.
# Later starts (data directory kept in a volume) skip the init: the replica resumes from where it was.
set -eu

DATADIR=/var/lib/mysql
SOCKET=/run/mysqld/mysqld.sock
log() { echo "[todo-db $(date +%H:%M:%S)] $*"; }

server_id() {
  # Unique per server: SERVER_ID from the environment (the stack file passes the task slot), else
  # derived from the container's IP address like the book did (third octet * 256 + fourth octet).
  if [ -n "${SERVER_ID:-}" ]; then echo "$SERVER_ID"; return; fi
  ip=$(hostname -i | awk '{print $1}')
  echo "$ip" | awk -F. '{print $3 * 256 + $4}'
}

write_config() {
  id=$(server_id)
  cat > /etc/mysql/mariadb.conf.d/90-todo.cnf <<CNF
[mariadbd]
server-id              = $id
bind-address           = 0.0.0.0
skip-name-resolve
log-bin                = mysql-bin
binlog-format          = ROW
relay-log              = relay-bin
character-set-server   = utf8mb4
collation-server       = utf8mb4_unicode_ci
innodb-buffer-pool-size = 64M
performance-schema     = OFF
CNF
  if [ "$DB_ROLE" = replica ]; then
    printf 'read-only              = ON\n' >> /etc/mysql/mariadb.conf.d/90-todo.cnf
  fi
  log "role=$DB_ROLE server-id=$id"
}

sql() { mariadb --protocol=socket -S "$SOCKET" -uroot --default-character-set=utf8mb4 "$@"; }

wait_socket() {
  i=0
  until mariadb-admin --protocol=socket -S "$SOCKET" ping --silent 2>/dev/null; do
    i=$((i + 1)); [ $i -lt 120 ] || { log "temporary server did not start"; exit 1; }
    sleep 0.5
  done
}

init_primary() {
  log "primary: creating database, users, schema and seed rows"
  sql <<SQL
CREATE DATABASE IF NOT EXISTS \`$DB_NAME\` CHARACTER SET utf8mb4;
CREATE USER IF NOT EXISTS '$DB_USER'@'%' IDENTIFIED BY '$DB_PASSWORD';
GRANT SELECT, INSERT, UPDATE, DELETE ON \`$DB_NAME\`.* TO '$DB_USER'@'%';
CREATE USER IF NOT EXISTS '$REPL_USER'@'%' IDENTIFIED BY '$REPL_PASSWORD';
GRANT REPLICATION SLAVE, BINLOG MONITOR, RELOAD ON *.* TO '$REPL_USER'@'%';
GRANT SELECT, LOCK TABLES, SHOW VIEW ON \`$DB_NAME\`.* TO '$REPL_USER'@'%';
SQL
  sql "$DB_NAME" < /todo-init/schema.sql
  log "primary: binary log status after init:"
  sql -e 'SHOW BINLOG STATUS'
}

init_replica() {
  export MYSQL_PWD="$REPL_PASSWORD"
  remote="mariadb -h $PRIMARY_HOST -P $PRIMARY_PORT -u $REPL_USER"
  log "replica: waiting for the primary $PRIMARY_HOST:$PRIMARY_PORT"
  i=0
  until $remote -e "SELECT 1 FROM \`$DB_NAME\`.todo LIMIT 1" >/dev/null 2>&1; do
    i=$((i + 1)); [ $i -lt 300 ] || { log "primary not reachable"; exit 1; }
    sleep 1
  done
  log "replica: primary's binary log status now:"
  $remote -e 'SHOW BINLOG STATUS'
  # A consistent copy: --single-transaction snapshot + --master-data=2 records the binary log file and
  # position that match the snapshot exactly (as a comment line we read below).
  mariadb-dump -h "$PRIMARY_HOST" -P "$PRIMARY_PORT" -u "$REPL_USER" --single-transaction \
    --master-data=2 --databases "$DB_NAME" > /tmp/snapshot.sql
  pos_line=$(grep -m1 'CHANGE MASTER TO' /tmp/snapshot.sql)
  file=$(echo "$pos_line" | sed -n "s/.*MASTER_LOG_FILE='\([^']*\)'.*/\1/p")
  pos=$(echo "$pos_line" | sed -n "s/.*MASTER_LOG_POS=\([0-9]*\).*/\1/p")
  log "replica: snapshot taken at $file:$pos"
  unset MYSQL_PWD
  sql -e "SET sql_log_bin = 0; SOURCE /tmp/snapshot.sql;"
  rm -f /tmp/snapshot.sql
  sql <<SQL
SET sql_log_bin = 0;
CREATE USER IF NOT EXISTS '$DB_USER'@'%' IDENTIFIED BY '$DB_PASSWORD';
GRANT SELECT ON \`$DB_NAME\`.* TO '$DB_USER'@'%';
CHANGE MASTER TO
  MASTER_HOST = '$PRIMARY_HOST', MASTER_PORT = $PRIMARY_PORT,
  MASTER_USER = '$REPL_USER', MASTER_PASSWORD = '$REPL_PASSWORD',
  MASTER_LOG_FILE = '$file', MASTER_LOG_POS = $pos,
  MASTER_CONNECT_RETRY = 5;
START REPLICA;
SQL
  log "replica: replication started"
}

case "$DB_ROLE" in primary|replica) ;; *) echo "DB_ROLE must be primary or replica" >&2; exit 2 ;; esac
write_config

if [ ! -d "$DATADIR/mysql" ]; then
  log "first start: initialising $DATADIR"
  mariadb-install-db --user=mysql --datadir="$DATADIR" --skip-test-db \
    --auth-root-authentication-method=socket > /dev/null
  mariadbd --user=mysql --datadir="$DATADIR" --skip-networking --socket="$SOCKET" &
  pid=$!
  wait_socket
  "init_$DB_ROLE"
  mariadb-admin --protocol=socket -S "$SOCKET" shutdown
  wait "$pid" || true
  log "init done"
fi

log "starting mariadbd"
exec mariadbd --user=mysql --datadir="$DATADIR"
