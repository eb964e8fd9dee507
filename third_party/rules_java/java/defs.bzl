"""Offline stand-in for @rules_java//java:defs.bzl.

C++ toolchain resolution makes Bazel 4.2.3 parse @bazel_tools//tools/jdk, whose BUILD
loads this file. Kevlar has no Java; the macros only forward to the native rules so
that the file parses without a network fetch of the real rules_java.
"""

def java_binary(**kwargs):
    native.java_binary(**kwargs)

def java_import(**kwargs):
    native.java_import(**kwargs)

def java_library(**kwargs):
    native.java_library(**kwargs)

def java_lite_proto_library(**kwargs):
    native.java_lite_proto_library(**kwargs)

def java_plugin(**kwargs):
    native.java_plugin(**kwargs)

def java_proto_library(**kwargs):
    native.java_proto_library(**kwargs)

def java_runtime(**kwargs):
    native.java_runtime(**kwargs)

def java_test(**kwargs):
    native.java_test(**kwargs)

def java_toolchain(**kwargs):
    native.java_toolchain(**kwargs)
