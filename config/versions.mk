# Pinned bases.  Change them here and nowhere else.

# Debian bookworm's linux-source-6.1 binary package (carries the tarball).
LINUX_DEB_VERSION := 6.1.192-2
LINUX_DEB_SHA256  := ae95fe63d4c553f8d0e6c86cb1ab566f3894a43743eb19ab585cd97d82f26514

# Debian's qemu source package (10.2.x), from testing, sid or experimental
# (scripts/fetch-qemu.sh); the version used is recorded in
# build/src/qemu/.done when fetched.
QEMU_DEB_SERIES   := 10.2
QEMU_DEB_VERSION  := 1:10.2.2+ds-1

# Debian's own kernels, booted unmodified as judges of the platform
# (scripts/fetch-debian-kernel.sh; profiles debian-*): the kernel release,
# which names the packages, and the package version.
# bookworm(-security): linux-image-RELEASE-amd64-unsigned
DEBIAN_612_RELEASE := 6.12.107+deb12
DEBIAN_612_VERSION := 6.12.107-1~deb12u1
# sid: linux-binary-, linux-modules- and linux-base-RELEASE-amd64
DEBIAN_7_RELEASE   := 7.2.13+deb14
DEBIAN_7_VERSION   := 7.2.13-1
