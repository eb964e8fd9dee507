#!/bin/sh
# Files and filesystems: cp/mv/rm/mkdir/rmdir, hard and symbolic links,
# permissions, timestamps, stat, big files (dd), tar and gzip round trips,
# find, ls, df, large directories, tmpfs mount/umount.
. "${KTEST_DIR:-/tests}/lib.sh"

# ---- directories, cp, mv, rm --------------------------------------------------
mkdir -p a/b/c
kt_ok fs.mkdir_p test -d a/b/c
echo content >a/b/c/file
rmdir a/b/c 2>/dev/null
kt_eq fs.rmdir_nonempty_fails "1 yes" "$? $(test -d a/b/c && echo yes)"
rm a/b/c/file
rmdir a/b/c a/b
kt_eq fs.rmdir "no yes" "$(test -e a/b && echo yes || echo no) $(test -d a && echo yes)"

printf 'copy me\n' >src
cp src dst
kt_eq fs.cp "copy me" "$(cat dst)"
kt_ok fs.cp_cmp cmp -s src dst
mkdir -p tree/sub
echo 1 >tree/one
echo 2 >tree/sub/two
cp -r tree tree2
kt_eq fs.cp_recursive "1 2" "$(cat tree2/one) $(cat tree2/sub/two)"
mv dst moved
kt_eq fs.mv_rename "no copy me" "$(test -e dst && echo yes || echo no) $(cat moved)"
mv moved tree2/sub/
kt_eq fs.mv_into_dir "copy me" "$(cat tree2/sub/moved)"
echo old >target
echo new >replacement
mv replacement target
kt_eq fs.mv_replaces "new" "$(cat target)"
mv tree2 tree3
kt_eq fs.mv_dir "2" "$(cat tree3/sub/two)"
rm -r tree3
kt_eq fs.rm_recursive "gone" "$(test -e tree3 || echo gone)"
rm src
kt_nok fs.rm_file test -e src

# ---- hard links ------------------------------------------------------------------
echo linked >h1
ln h1 h2
kt_eq fs.hardlink_count "2 2" "$(stat -c %h h1) $(stat -c %h h2)"
kt_eq fs.hardlink_same_inode "$(stat -c %i h1)" "$(stat -c %i h2)"
echo more >>h2
kt_eq fs.hardlink_shared_data "linked more " "$(tr '\n' ' ' <h1)"
rm h1
kt_eq fs.hardlink_survives_unlink "1 linked" "$(stat -c %h h2) $(head -n 1 h2)"

# ---- symbolic links ------------------------------------------------------------
echo pointed >real
ln -s real sl
kt_eq fs.symlink_readlink "real" "$(readlink sl)"
kt_eq fs.symlink_follow "pointed" "$(cat sl)"
kt_eq fs.symlink_stat_type "symbolic link/regular file" "$(stat -c %F sl)/$(stat -L -c %F sl)"
ln -s does_not_exist dangling
kt_eq fs.symlink_dangling "link:yes exists:no target:does_not_exist" \
    "link:$(test -L dangling && echo yes) exists:$(test -e dangling && echo yes || echo no) target:$(readlink dangling)"
ln -s loop_b loop_a
ln -s loop_a loop_b
cat loop_a >/dev/null 2>&1
rc=$?
kt_eq fs.symlink_loop_error "1 link:yes exists:no" \
    "$([ $rc -ne 0 ] && echo 1) link:$(test -L loop_a && echo yes) exists:$(test -e loop_a && echo yes || echo no)"
mkdir realdir
echo inside >realdir/f
ln -s realdir dirlink
kt_eq fs.symlink_to_dir "inside $KT_D/realdir" "$(cat dirlink/f) $(cd dirlink && pwd -P)"
ln -s /proc/self absl
kt_ok fs.symlink_absolute test -d absl/

# ---- permissions ------------------------------------------------------------------
echo '#!/bin/sh' >script
echo 'echo ran-script' >>script
chmod 755 script
kt_eq fs.chmod_755 "755 x" "$(stat -c %a script) $(test -x script && echo x)"
kt_eq fs.exec_script "ran-script" "$(./script)"
chmod 640 script
kt_eq fs.chmod_640 "640 -rw-r----- nox" "$(stat -c '%a %A' script) $(test -x script && echo x || echo nox)"
chmod u+x,g+w script
kt_eq fs.chmod_symbolic "760" "$(stat -c %a script)"
umask 077
touch private
umask 022
kt_eq fs.umask_applied "600" "$(stat -c %a private)"
mkdir -m 700 mdir
kt_eq fs.mkdir_mode "700 directory" "$(stat -c '%a %F' mdir)"

# ---- touch / stat / timestamps -------------------------------------------------
touch empty
kt_eq fs.touch_creates_empty "0 regular empty file" "$(stat -c '%s %F' empty)"
printf 12345 >five
kt_eq fs.stat_size "5" "$(stat -c %s five)"
touch -t 202001010000 five
kt_eq fs.touch_set_mtime "1577836800" "$(stat -c %Y five)"
t0=$(date +%s)
touch five
t1=$(stat -c %Y five)
t2=$(date +%s)
if [ "$t1" -ge $((t0 - 1)) ] && [ "$t1" -le $((t2 + 1)) ]; then
    kt_pass fs.touch_now_mtime
else
    kt_fail fs.touch_now_mtime "mtime $t1 not within [$t0, $t2]"
fi
kt_eq fs.stat_dir_type "directory" "$(stat -c %F realdir)"
kt_eq fs.stat_owner_is_me "$(id -u)" "$(stat -c %u five)"

# ---- big files ---------------------------------------------------------------
dd if=/dev/zero of=big bs=1024 count=2048 2>/dev/null
kt_eq fs.dd_2mib_size "2097152 2097152" "$(stat -c %s big) $(wc -c <big | kt_trim)"
kt_eq fs.dd_2mib_md5 "b2d1236c286a3c0704224fe4105eca49" "$(md5sum big | cut -d' ' -f1)"
kt_eq fs.dd_2mib_read_back "2048+0" "$(dd if=big of=/dev/null bs=1024 2>&1 | sed -n 's/ records in//p' | head -n 1)"
dd if=/dev/urandom of=rnd bs=1024 count=1536 2>/dev/null
cp rnd rnd.copy
s1=$(sha256sum <rnd | cut -d' ' -f1)
s2=$(cat rnd | sha256sum | cut -d' ' -f1)
s3=$(sha256sum <rnd.copy | cut -d' ' -f1)
if [ ${#s1} -eq 64 ] && [ "$s1" = "$s2" ] && [ "$s1" = "$s3" ]; then
    kt_pass fs.random_file_copy_checksum
else
    kt_fail fs.random_file_copy_checksum "sha256 file=$s1 pipe=$s2 copy=$s3"
fi
dd if=/dev/zero of=sparse bs=1 count=1 seek=1048575 2>/dev/null
kt_eq fs.dd_seek_extends "1048576" "$(stat -c %s sparse)"
printf 'AAAAAAAAAA' >patch
printf 'BB' | dd of=patch bs=1 seek=3 conv=notrunc 2>/dev/null
kt_eq fs.dd_notrunc_patch "AAABBAAAAA" "$(cat patch)"
truncate -s 100 patch
kt_eq fs.truncate_grow "100" "$(stat -c %s patch)"
truncate -s 4 patch
kt_eq fs.truncate_shrink "AAAB" "$(cat patch)"

# ---- tar and gzip round trips ---------------------------------------------------
mkdir -p tsrc/d1/d2
seq 1 5000 >tsrc/numbers
echo small >tsrc/d1/small
cp big tsrc/d1/d2/big
ln -s ../numbers tsrc/d1/numlink
chmod 750 tsrc/d1/small
tar -cf t.tar -C tsrc .
mkdir tdst
tar -xf t.tar -C tdst
sums() { (cd "$1" && find . -type f | sort | xargs md5sum); }
kt_eq fs.tar_roundtrip_contents "$(sums tsrc)" "$(sums tdst)"
kt_eq fs.tar_roundtrip_symlink_mode "../numbers 750" "$(readlink tdst/d1/numlink) $(stat -c %a tdst/d1/small)"
kt_eq fs.tar_list "./d1/d2/big ./d1/numlink ./d1/small ./numbers " \
    "$(tar -tf t.tar | grep -v '/$' | sort | tr '\n' ' ')"
tar -czf t.tgz -C tsrc .
mkdir tdst2
tar -xzf t.tgz -C tdst2
kt_eq fs.tar_gzip_roundtrip "$(sums tsrc)" "$(sums tdst2)"

seq 1 20000 >g
gzip -9 g
kt_eq fs.gzip_replaces "no yes" "$(test -e g && echo yes || echo no) $(test -e g.gz && echo yes)"
gsize=$(stat -c %s g.gz)
kt_num fs.gzip_compresses "$gsize" -lt 60000
gunzip g.gz
kt_eq fs.gunzip_md5 "e071f707df7bbeee2a6a1eb48011ddd0" "$(md5sum g | cut -d' ' -f1)"
kt_eq fs.gzip_pipe_roundtrip "$(md5sum <big | cut -d' ' -f1)" "$(gzip -c <big | gunzip -c | md5sum | cut -d' ' -f1)"

# ---- find / ls ----------------------------------------------------------------
mkdir -p ft/x/y
touch ft/a.txt ft/x/b.txt ft/x/y/c.log ft/x/y/d.txt
ln -s a.txt ft/lnk
kt_eq fs.find_name "ft/a.txt ft/x/b.txt ft/x/y/d.txt " "$(find ft -name '*.txt' | sort | tr '\n' ' ')"
kt_eq fs.find_type_d "ft ft/x ft/x/y " "$(find ft -type d | sort | tr '\n' ' ')"
kt_eq fs.find_type_l "ft/lnk" "$(find ft -type l)"
find ft -name '*.txt' -type f | xargs rm
kt_eq fs.find_xargs_rm "ft/x/y/c.log" "$(find ft -type f)"

mkdir lsd
printf 'hello\n' >lsd/file
kt_eq fs.ls_la_entry "-rw-r--r-- 1 6 file" "$(ls -la lsd | awk '$NF == "file" {print $1, $2, $5, $NF}')"
kt_eq fs.ls_la_dots ". .. " "$(ls -la lsd | awk '$NF == "." || $NF == ".." {printf "%s ", $NF}')"
touch lsd/b lsd/a lsd/c
kt_eq fs.ls_sorted "a b c file " "$(ls lsd | tr '\n' ' ')"

mkdir many
i=0
while [ $i -lt 300 ]; do
    : >many/f$i
    i=$((i + 1))
done
kt_eq fs.dir_300_entries "300" "$(ls many | wc -l | kt_trim)"
rm many/f1*
kt_eq fs.dir_after_glob_rm "189" "$(ls many | wc -l | kt_trim)"

long=$(printf '%0255d' 0)
: >"$long"
kt_eq fs.name_255_chars "255" "$(ls | grep '^000' | head -n 1 | awk '{print length($0)}')"

kt_num fs.df_reports "$(df -k . | awk 'NR == 2 {print $2}')" -gt 0

# ---- mount / umount (root) -------------------------------------------------
if kt_root; then
    mkdir mnt
    if mount -t tmpfs -o size=4m kt_tmpfs "$KT_D/mnt"; then
        kt_pass fs.mount_tmpfs
        echo onmount >mnt/file
        kt_eq fs.mount_listed "tmpfs" "$(awk -v m="$KT_D/mnt" '$2 == m {print $3}' /proc/mounts)"
        kt_eq fs.mount_usable "onmount" "$(cat mnt/file)"
        if umount "$KT_D/mnt"; then
            kt_eq fs.umount "gone unlisted" \
                "$(test -e mnt/file || echo gone) $(grep -q " $KT_D/mnt " /proc/mounts && echo listed || echo unlisted)"
        else
            kt_fail fs.umount "umount failed"
        fi
    else
        kt_fail fs.mount_tmpfs "mount -t tmpfs failed"
    fi
fi

kt_done
