"""Runs impacket's GetUserSPNs.py (Debian python3-impacket 0.10) against the Samba lab.

Stock GetUserSPNs cannot bind to Samba 4.17 (its NTLM/Sicily bind fails, and -k fails with
KRB_AP_ERR_INAPP_CKSUM; see shared/research/labs.md), so LDAPConnection.login is patched to a
simple bind. The password is read from a file so it never appears on a command line.

    /usr/bin/python3 impacket_getuserspns.py PASSWORD_FILE DOMAIN USER DC_IP
"""
import runpy
import sys

from impacket.ldap import ldap

EXAMPLE = "/usr/share/doc/python3-impacket/examples/GetUserSPNs.py"


def main() -> None:
    password_file, domain, user, dc_ip = sys.argv[1:5]
    with open(password_file, encoding="utf-8") as f:
        password = f.read().splitlines()[0]

    original = ldap.LDAPConnection.login

    def simple_login(self, user="", password="", domain="", lmhash="", nthash="", authenticationChoice="simple"):
        return original(self, user, password, domain, lmhash, nthash, authenticationChoice="simple")

    ldap.LDAPConnection.login = simple_login
    sys.argv = [EXAMPLE, f"{domain}/{user}:{password}", "-dc-ip", dc_ip]
    runpy.run_path(EXAMPLE, run_name="__main__")


if __name__ == "__main__":
    main()
