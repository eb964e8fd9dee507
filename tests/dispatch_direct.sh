#!/usr/bin/env bash
# //tests:dispatch_direct_<arch> (DESIGN §5 "service dispatch"): in the kernels
# of the given profiles, virtqueue_kick() must reach the virtio transport's
# notify through the ops table (Fortress, Balanced: an indirect call) or call
# virtio_mmio_notify directly (Performance, Ludicrous: the single transport
# bound at link time). And file_op_read() — the VFS boundary into a file
# system — must set a recovery point (hal_recovery_save: svc_call with
# containment) under Fortress and Balanced only; under Performance and
# Ludicrous svc_call is the bare call. Reads the disassembly of each kernel ELF.
#   dispatch_direct.sh --virtio=required|optional KERNEL_FILES... (one argument per kernel file; the
#   profile is taken from the kernel_<arch>_<profile> directory name)
set -u
VIRTIO=${1#--virtio=}; shift  # --virtio=required|optional
objdump=$(command -v llvm-objdump || command -v llvm-objdump-14)
[ -n "$objdump" ] || { echo "dispatch_direct: llvm-objdump not found"; exit 1; }
fail=0 seen=0
for f in "$@"; do
  case $f in *.elf) ;; *) continue ;; esac
  profile=$(basename "$(dirname "$f")"); profile=${profile##*_}
  dis=$("$objdump" -d --no-show-raw-insn --disassemble-symbols=virtqueue_kick "$f")
  virtio=1
  if ! grep -q '<virtqueue_kick>:' <<<"$dis"; then
    # The board links no virtio transport (boards/boards.bzl: the PCs have no
    # virtio-mmio); only the VFS boundary is checked.
    if [ "$VIRTIO" = required ]; then
      echo "FAIL $profile: no virtqueue_kick in $f"; fail=1; continue
    fi
    virtio=0
  fi
  case $profile in
    performance|ludicrous) want=1 ;;
    *) want=0 ;;
  esac
  direct=0
  grep -qE '(callq?|jmpq?|bl|b)[[:space:]]+[0-9a-fx]+ <virtio_mmio_notify>' <<<"$dis" && direct=1
  rd=$("$objdump" -d --no-show-raw-insn --disassemble-symbols=file_op_read "$f")
  contained=0
  grep -qE '(callq?|bl)[[:space:]]+[0-9a-fx]+ <hal_recovery_save>' <<<"$rd" && contained=1
  want_c=$((1 - want))
  if [ "$contained" = "$want_c" ]; then
    echo "PASS $profile: file_op_read $([ $contained = 1 ] && echo 'sets a recovery point (svc_call contains faults)' || echo 'calls the file system directly')"
  else
    echo "FAIL $profile: file_op_read recovery point=$contained, want $want_c"; fail=1
  fi
  seen=$((seen + 1))
  if [ $virtio = 0 ]; then
    echo "SKIP $profile: no virtio in this board's kernel"
  elif [ "$direct" = "$want" ]; then
    echo "PASS $profile: $([ $direct = 1 ] && echo 'direct call to virtio_mmio_notify' || echo 'through the ops table')"
  else
    echo "FAIL $profile: direct=$direct, want $want; virtqueue_kick:"; echo "$dis" | tail -n 40
    fail=1
  fi
done
[ "$seen" = 4 ] || { echo "FAIL: checked $seen kernels, want 4"; fail=1; }
exit $fail
