// meshctl: the meshid admin and debugging CLI. main only wires the real
// streams, gRPC transport and environment to RunMeshctl; `meshctl --help`
// lists the commands.
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "tools/meshctl/connection.h"
#include "tools/meshctl/meshctl.h"

int main(int argc, char** argv) {
  using namespace meshid::meshctl;
  const std::vector<std::string> args(argv + 1, argv + argc);
  std::unique_ptr<Transport> transport = NewGrpcTransport();
  return RunMeshctl(args, {std::cin, std::cout, std::cerr}, *transport,
                    ProcessEnvironment());
}
