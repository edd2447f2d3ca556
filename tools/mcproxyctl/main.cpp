// SPDX-License-Identifier: GPL-2.0-or-later
// mcproxyctl: asks a running mcproxy for its state, or to reload.
#include "mcproxy/daemon/control_client.hpp"

int main(int argc, char** argv) { return mcproxy::daemon::ctl_main(argc, argv); }
