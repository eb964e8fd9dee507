"""What compile_test and the layering lint share: a transition to a (platform, profile)
kernel configuration, and the kernel toolchain's own compile command there."""

def _kernel_config_transition_impl(settings, attr):
    return {
        "//command_line_option:platforms": str(attr.platform),
        "//build:profile": attr.profile,
    }

# For an attribute of a rule whose own attributes `platform` (label) and `profile`
# (string) name the configuration to build that attribute in.
kernel_config_transition = transition(
    implementation = _kernel_config_transition_impl,
    inputs = [],
    outputs = ["//command_line_option:platforms", "//build:profile"],
)

def kernel_compile_command(ctx, cc):
    """(compiler path, argv, headers) of the "c-compile" action for ctx.attr.deps'
    headers and ctx.attr.copts, exactly as a kernel_library is compiled with toolchain
    `cc`. argv has no source or output arguments; headers (a depset) are the deps'
    headers the action needs as inputs."""
    features = cc_common.configure_features(
        ctx = ctx,
        cc_toolchain = cc,
        requested_features = ctx.features,
        unsupported_features = ctx.disabled_features,
    )
    comp = cc_common.merge_cc_infos(cc_infos = [d[CcInfo] for d in ctx.attr.deps]).compilation_context
    variables = cc_common.create_compile_variables(
        feature_configuration = features,
        cc_toolchain = cc,
        user_compile_flags = ctx.attr.copts,
        include_directories = comp.includes,
        quote_include_directories = comp.quote_includes,
        system_include_directories = comp.system_includes,
        preprocessor_defines = comp.defines,
    )
    argv = cc_common.get_memory_inefficient_command_line(
        feature_configuration = features,
        action_name = "c-compile",
        variables = variables,
    )
    compiler = cc_common.get_tool_for_action(feature_configuration = features, action_name = "c-compile")
    return compiler, argv, comp.headers
