// SPDX-License-Identifier: GPL-2.0-or-later
// Entry point: everything lives in the daemon layer.
#include "mcproxy/daemon/main.hpp"

int main(int argc, char** argv) { return mcproxy::daemon::run_main(argc, argv); }
