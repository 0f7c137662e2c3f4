# Sourced by eng/test.sh (or run with bash): makes an OpenSSH SFTP server ready on 127.0.0.1:2222 for the
# DataWeaver.Sftp tests. Idempotent: installs Debian's openssh-server only when missing, creates the test user
# dwsftp (password dwsftp-test-password, and the client key below) only when missing, starts a separate sshd with its own
# config and host key only when nothing answers on the port, then waits until it accepts connections. Loopback only;
# the system sshd (port 22, /etc/ssh) is neither used nor touched.
#   /tmp/dataweaver-sshd/sshd_config          this sshd's config (sftp only, password and public key auth)
#   /tmp/dataweaver-sshd/ssh_host_ed25519_key(.pub)  its host key (the tests pin its SHA-256 fingerprint)
#   /tmp/dataweaver-sshd/client_ed25519(.pub)  the test user's key pair (OpenSSH format, no passphrase)
# The user's files live in /srv/dataweaver-sftp (the user's home; the tests' t-* folders are wiped at each start). Stop it with: kill $(cat /tmp/dataweaver-sshd/sshd.pid)
sshd_service_up() {
  if [ ! -x /usr/sbin/sshd ]; then
    echo "sshd.sh: installing openssh-server"
    apt-get update -qq
    # policy-rc.d keeps the package from starting the system sshd; we run our own below.
    DEBIAN_FRONTEND=noninteractive RUNLEVEL=1 apt-get install -y -qq openssh-server >/dev/null
  fi
  local dir=/tmp/dataweaver-sshd port=2222 user=dwsftp home=/srv/dataweaver-sftp
  mkdir -p "$dir" /run/sshd
  chmod 755 "$dir"
  if ! id "$user" >/dev/null 2>&1; then
    useradd --home-dir "$home" --create-home --shell /bin/sh "$user"
  fi
  mkdir -p "$home"; chown "$user:$user" "$home"; chmod 755 "$home"
  echo "$user:dwsftp-test-password" | chpasswd
  [ -f "$dir/ssh_host_ed25519_key" ] || ssh-keygen -q -t ed25519 -N '' -C dataweaver-test-host -f "$dir/ssh_host_ed25519_key"
  [ -f "$dir/client_ed25519" ] || ssh-keygen -q -t ed25519 -N '' -C dataweaver-test-client -f "$dir/client_ed25519"
  mkdir -p "$dir/authorized_keys"
  cp "$dir/client_ed25519.pub" "$dir/authorized_keys/$user"
  cat >"$dir/sshd_config" <<CONF
Port $port
ListenAddress 127.0.0.1
HostKey $dir/ssh_host_ed25519_key
PidFile $dir/sshd.pid
AuthorizedKeysFile $dir/authorized_keys/%u
PasswordAuthentication yes
PubkeyAuthentication yes
KbdInteractiveAuthentication no
PermitRootLogin no
AllowUsers $user
UsePAM no
StrictModes no
MaxStartups 100:30:200
MaxSessions 100
Subsystem sftp internal-sftp
LogLevel INFO
CONF
  if (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null; then
    return 0
  fi
  echo "sshd.sh: starting sshd (SFTP) on 127.0.0.1:$port"
  rm -rf "$home"/t-* # the folders of earlier test runs
  /usr/sbin/sshd -f "$dir/sshd_config" -E "$dir/sshd.log"
  local i
  for i in $(seq 1 100); do
    if (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  echo "sshd.sh: sshd did not start; see $dir/sshd.log" >&2
  return 1
}
sshd_service_up
