// The kernel call trees a syscall walks, so kprobes/kretprobes/fentry/fexit fire in the order
// a real kernel calls and returns, with plausible arguments, and kernel stacks show the frames
// above them. Written as indented text (indent = call depth; `name(args)=ret`; `*` marks where
// the call spends its time: frames up to it run at sys_enter, the rest at sys_exit), parsed
// once into tables. Data and its parser; the world interprets the argument codes.

/** Argument and return sources: what a frame's register holds. */
export const KA = {
  zero: 0, uregs: 1, fd: 2, file: 3, ubuf: 4, count: 5, ppos: 6, path: 7, inode: 8, dfd: 9,
  upath: 10, kfilename: 11, how: 12, sock: 13, socket: 14, msg: 15, ksockaddr: 16, addrlen: 17,
  flags: 18, task: 19, child: 20, cloneargs: 21, ktime: 22, rel: 23, clockid: 24, sleeper: 25,
  code: 26, cred: 27, cap: 28, dentry: 29, kstat: 30, pos: 31, datasync: 32, llmax: 33,
  kiocb: 34, iter: 35, ret: 36, newsock: 37, childpid: 38, skb: 39, one: 40, mask: 41,
  net: 42, offset: 43, whence: 44, acceptarg: 45, dirinode: 46, idmap: 47, qstr: 48, nameidata: 49,
  userns: 50, sig: 51, iov: 52, filep: 53, bprm: 54,
} as const;

export type KaName = keyof typeof KA;

export interface KFrame {
  readonly fn: string;
  readonly depth: number;
  readonly args: readonly number[];
  /** Return-value source (KA.zero when void). */
  readonly ret: number;
}

export interface KPath {
  readonly frames: readonly KFrame[];
  /** Frames [0, split) are entered at sys_enter; the rest at sys_exit. */
  readonly split: number;
}

const TEXT: Readonly<Record<string, string>> = {
  'read:file': `
__x64_sys_read(uregs)=ret
 ksys_read(fd, ubuf, count)=ret
  vfs_read(file, ubuf, count, ppos)=ret
   ext4_file_read_iter(kiocb, iter)=ret
    filemap_read(kiocb, iter, zero)=ret *`,
  'read:sock': `
__x64_sys_read(uregs)=ret
 ksys_read(fd, ubuf, count)=ret
  vfs_read(file, ubuf, count, ppos)=ret
   sock_read_iter(kiocb, iter)=ret
    sock_recvmsg(socket, msg, zero)=ret
     inet_recvmsg(socket, msg, count, zero)=ret
      tcp_recvmsg(sock, msg, count, zero)=ret *
       skb_copy_datagram_iter(skb, zero, iter, ret)=zero`,
  'read:tty': `
__x64_sys_read(uregs)=ret
 ksys_read(fd, ubuf, count)=ret
  vfs_read(file, ubuf, count, ppos)=ret
   tty_read(kiocb, iter)=ret
    n_tty_read(zero, file, ubuf, count)=ret *`,
  'read:pipe': `
__x64_sys_read(uregs)=ret
 ksys_read(fd, ubuf, count)=ret
  vfs_read(file, ubuf, count, ppos)=ret
   pipe_read(kiocb, iter)=ret *`,
  'write:file': `
__x64_sys_write(uregs)=ret
 ksys_write(fd, ubuf, count)=ret
  vfs_write(file, ubuf, count, ppos)=ret
   ext4_file_write_iter(kiocb, iter)=ret
    ext4_buffered_write_iter(kiocb, iter)=ret
     generic_perform_write(kiocb, iter)=ret *`,
  'write:sock': `
__x64_sys_write(uregs)=ret
 ksys_write(fd, ubuf, count)=ret
  vfs_write(file, ubuf, count, ppos)=ret
   sock_write_iter(kiocb, iter)=ret
    sock_sendmsg(socket, msg)=ret
     inet_sendmsg(socket, msg, count)=ret
      tcp_sendmsg(sock, msg, count)=ret
       tcp_sendmsg_locked(sock, msg, count)=ret *
        tcp_push(sock, zero, zero, zero, zero)=zero
         __tcp_transmit_skb(sock, skb, one, zero, zero)=zero
          ip_output(net, sock, skb)=zero
           dev_queue_xmit(skb)=zero`,
  'write:tty': `
__x64_sys_write(uregs)=ret
 ksys_write(fd, ubuf, count)=ret
  vfs_write(file, ubuf, count, ppos)=ret
   tty_write(kiocb, iter)=ret
    n_tty_write(zero, file, ubuf, count)=ret *`,
  'write:pipe': `
__x64_sys_write(uregs)=ret
 ksys_write(fd, ubuf, count)=ret
  vfs_write(file, ubuf, count, ppos)=ret
   pipe_write(kiocb, iter)=ret *`,
  pread64: `
__x64_sys_pread64(uregs)=ret
 ksys_pread64(fd, ubuf, count, pos)=ret
  vfs_read(file, ubuf, count, ppos)=ret
   ext4_file_read_iter(kiocb, iter)=ret
    filemap_read(kiocb, iter, zero)=ret *`,
  pwrite64: `
__x64_sys_pwrite64(uregs)=ret
 ksys_pwrite64(fd, ubuf, count, pos)=ret
  vfs_write(file, ubuf, count, ppos)=ret
   ext4_file_write_iter(kiocb, iter)=ret
    ext4_buffered_write_iter(kiocb, iter)=ret
     generic_perform_write(kiocb, iter)=ret *`,
  readv: `
__x64_sys_readv(uregs)=ret
 do_readv(fd, iov, one, zero)=ret
  vfs_readv(file, iov, one, ppos, zero)=ret *`,
  writev: `
__x64_sys_writev(uregs)=ret
 do_writev(fd, iov, one, zero)=ret
  vfs_writev(file, iov, one, ppos, zero)=ret *`,
  'recvfrom': `
__x64_sys_recvfrom(uregs)=ret
 __sys_recvfrom(fd, ubuf, count, flags, zero, zero)=ret
  sock_recvmsg(socket, msg, flags)=ret
   inet_recvmsg(socket, msg, count, flags)=ret
    tcp_recvmsg(sock, msg, count, flags)=ret *
     skb_copy_datagram_iter(skb, zero, iter, ret)=zero`,
  'sendto': `
__x64_sys_sendto(uregs)=ret
 __sys_sendto(fd, ubuf, count, flags, zero, zero)=ret
  sock_sendmsg(socket, msg)=ret
   inet_sendmsg(socket, msg, count)=ret
    tcp_sendmsg(sock, msg, count)=ret
     tcp_sendmsg_locked(sock, msg, count)=ret *
      tcp_push(sock, zero, zero, zero, zero)=zero
       __tcp_transmit_skb(sock, skb, one, zero, zero)=zero
        ip_output(net, sock, skb)=zero
         dev_queue_xmit(skb)=zero`,
  openat: `
__x64_sys_openat(uregs)=ret
 do_sys_openat2(dfd, upath, how)=ret
  getname_flags(upath, zero)=kfilename
  do_filp_open(dfd, kfilename, how)=filep *
   path_openat(nameidata, how, zero)=filep
    link_path_walk(upath, nameidata)=zero
     walk_component(nameidata, zero)=zero
      lookup_fast(nameidata)=dentry
       d_lookup(dentry, qstr)=dentry
    do_open(nameidata, file, how)=zero
     vfs_open(path, file)=zero
      security_file_open(file)=zero
      ext4_file_open(inode, file)=zero
  fd_install(ret, file)=zero`,
  open: `
__x64_sys_open(uregs)=ret
 do_sys_openat2(dfd, upath, how)=ret
  getname_flags(upath, zero)=kfilename
  do_filp_open(dfd, kfilename, how)=filep *
   path_openat(nameidata, how, zero)=filep
    link_path_walk(upath, nameidata)=zero
     walk_component(nameidata, zero)=zero
      lookup_fast(nameidata)=dentry
    do_open(nameidata, file, how)=zero
     vfs_open(path, file)=zero
      security_file_open(file)=zero
      ext4_file_open(inode, file)=zero
  fd_install(ret, file)=zero`,
  close: `
__x64_sys_close(uregs)=ret
 file_close_fd(fd)=file
 filp_close(file, zero)=zero *`,
  'close:sock': `
__x64_sys_close(uregs)=ret
 file_close_fd(fd)=file
 filp_close(file, zero)=zero *
 __fput(file)=zero
  tcp_close(sock, zero)=zero`,
  newfstatat: `
__x64_sys_newfstatat(uregs)=ret
 vfs_fstatat(dfd, upath, kstat, flags)=ret
  getname_flags(upath, zero)=kfilename
  vfs_statx(dfd, kfilename, flags, kstat, mask)=ret *
   vfs_getattr(path, kstat, mask, zero)=ret`,
  statx: `
__x64_sys_statx(uregs)=ret
 do_statx(dfd, kfilename, flags, mask, ubuf)=ret
  vfs_statx(dfd, kfilename, flags, kstat, mask)=ret *
   vfs_getattr(path, kstat, mask, zero)=ret`,
  stat: `
__x64_sys_newstat(uregs)=ret
 vfs_fstatat(dfd, upath, kstat, zero)=ret
  vfs_statx(dfd, kfilename, zero, kstat, mask)=ret *
   vfs_getattr(path, kstat, mask, zero)=ret`,
  fstat: `
__x64_sys_newfstat(uregs)=ret
 vfs_fstat(fd, kstat)=ret *
  vfs_getattr(path, kstat, mask, zero)=ret`,
  lseek: `
__x64_sys_lseek(uregs)=ret
 vfs_llseek(file, offset, whence)=ret *`,
  connect: `
__x64_sys_connect(uregs)=ret
 __sys_connect(fd, ksockaddr, addrlen)=ret
  inet_stream_connect(socket, ksockaddr, addrlen, zero)=ret
   __inet_stream_connect(socket, ksockaddr, addrlen, zero, zero)=ret
    tcp_v4_connect(sock, ksockaddr, addrlen)=ret
     tcp_connect(sock)=zero *`,
  accept4: `
__x64_sys_accept4(uregs)=ret
 __sys_accept4(fd, ubuf, zero, flags)=ret
  do_accept(file, acceptarg, ubuf, zero, flags)=filep
   inet_accept(socket, socket, acceptarg)=zero
    inet_csk_accept(sock, acceptarg)=newsock *
     inet_csk_wait_for_connect(sock, zero)=zero
  fd_install(ret, file)=zero`,
  accept: `
__x64_sys_accept(uregs)=ret
 __sys_accept4(fd, ubuf, zero, zero)=ret
  do_accept(file, acceptarg, ubuf, zero, zero)=filep
   inet_accept(socket, socket, acceptarg)=zero
    inet_csk_accept(sock, acceptarg)=newsock *
     inet_csk_wait_for_connect(sock, zero)=zero`,
  nanosleep: `
__x64_sys_nanosleep(uregs)=ret
 hrtimer_nanosleep(ktime, rel, one)=ret
  do_nanosleep(sleeper, rel)=ret *
   schedule()=zero`,
  clock_nanosleep: `
__x64_sys_clock_nanosleep(uregs)=ret
 common_nsleep(clockid, zero, ktime)=ret
  hrtimer_nanosleep(ktime, rel, clockid)=ret
   do_nanosleep(sleeper, rel)=ret *
    schedule()=zero`,
  epoll_wait: `
__x64_sys_epoll_wait(uregs)=ret
 do_epoll_wait(fd, ubuf, count, zero)=ret
  ep_poll(file, ubuf, count, zero)=ret *
   schedule_hrtimeout_range(zero, zero, zero)=zero
    schedule()=zero`,
  epoll_pwait: `
__x64_sys_epoll_pwait(uregs)=ret
 do_epoll_wait(fd, ubuf, count, zero)=ret
  ep_poll(file, ubuf, count, zero)=ret *
   schedule_hrtimeout_range(zero, zero, zero)=zero
    schedule()=zero`,
  poll: `
__x64_sys_poll(uregs)=ret
 do_sys_poll(ubuf, count, zero)=ret *
  schedule_hrtimeout_range(zero, zero, zero)=zero
   schedule()=zero`,
  ppoll: `
__x64_sys_ppoll(uregs)=ret
 do_sys_poll(ubuf, count, zero)=ret *
  schedule_hrtimeout_range(zero, zero, zero)=zero
   schedule()=zero`,
  select: `
__x64_sys_select(uregs)=ret
 core_sys_select(count, ubuf, zero, zero, zero)=ret
  do_select(count, zero, zero)=ret *
   schedule_hrtimeout_range(zero, zero, zero)=zero
    schedule()=zero`,
  pselect6: `
__x64_sys_pselect6(uregs)=ret
 core_sys_select(count, ubuf, zero, zero, zero)=ret
  do_select(count, zero, zero)=ret *
   schedule_hrtimeout_range(zero, zero, zero)=zero
    schedule()=zero`,
  futex: `
__x64_sys_futex(uregs)=ret
 do_futex(ubuf, flags, count, zero, zero, zero, zero)=ret
  futex_wait(ubuf, zero, zero, zero, zero)=ret *
   __futex_wait(ubuf, zero, zero, zero, zero)=ret
    futex_wait_queue(zero, zero, zero)=zero
     schedule()=zero`,
  'futex:wake': `
__x64_sys_futex(uregs)=ret
 do_futex(ubuf, flags, count, zero, zero, zero, zero)=ret
  futex_wake(ubuf, zero, count, zero)=ret *`,
  clone: `
__x64_sys_clone(uregs)=ret
 kernel_clone(cloneargs)=childpid
  copy_process(zero, zero, zero, cloneargs)=child *
  wake_up_new_task(child)=zero`,
  clone3: `
__x64_sys_clone3(uregs)=ret
 kernel_clone(cloneargs)=childpid
  copy_process(zero, zero, zero, cloneargs)=child *
  wake_up_new_task(child)=zero`,
  fork: `
__x64_sys_fork(uregs)=ret
 kernel_clone(cloneargs)=childpid
  copy_process(zero, zero, zero, cloneargs)=child *
  wake_up_new_task(child)=zero`,
  vfork: `
__x64_sys_vfork(uregs)=ret
 kernel_clone(cloneargs)=childpid
  copy_process(zero, zero, zero, cloneargs)=child *
  wake_up_new_task(child)=zero`,
  execve: `
__x64_sys_execve(uregs)=ret
 do_execveat_common(dfd, kfilename, zero, zero, zero)=ret
  bprm_execve(bprm)=ret
   exec_binprm(bprm)=ret
    load_elf_binary(bprm)=ret *
     begin_new_exec(bprm)=zero`,
  exit_group: `
__x64_sys_exit_group(uregs)=zero
 do_group_exit(code)=zero
  do_exit(code)=zero *`,
  exit: `
__x64_sys_exit(uregs)=zero
 do_exit(code)=zero *`,
  wait4: `
__x64_sys_wait4(uregs)=ret
 kernel_wait4(zero, zero, zero, zero)=ret
  do_wait(zero)=ret *
   schedule()=zero`,
  kill: `
__x64_sys_kill(uregs)=ret
 kill_pid_info(sig, zero, zero)=ret
  group_send_sig_info(sig, zero, zero, zero)=ret
   do_send_sig_info(sig, zero, zero, zero)=ret
    __send_signal_locked(sig, zero, zero, zero, zero)=ret *`,
  fsync: `
__x64_sys_fsync(uregs)=ret
 vfs_fsync(file, zero)=ret
  vfs_fsync_range(file, zero, llmax, zero)=ret
   ext4_sync_file(file, zero, llmax, zero)=ret *
    file_write_and_wait_range(file, zero, llmax)=zero`,
  fdatasync: `
__x64_sys_fdatasync(uregs)=ret
 vfs_fsync(file, one)=ret
  vfs_fsync_range(file, zero, llmax, one)=ret
   ext4_sync_file(file, zero, llmax, one)=ret *
    file_write_and_wait_range(file, zero, llmax)=zero`,
  unlinkat: `
__x64_sys_unlinkat(uregs)=ret
 getname_flags(upath, zero)=kfilename
 do_unlinkat(dfd, kfilename)=ret *
  vfs_unlink(idmap, dirinode, dentry, zero)=ret`,
  unlink: `
__x64_sys_unlink(uregs)=ret
 getname_flags(upath, zero)=kfilename
 do_unlinkat(dfd, kfilename)=ret *
  vfs_unlink(idmap, dirinode, dentry, zero)=ret`,
  setuid: `
__x64_sys_setuid(uregs)=ret
 __sys_setuid(count)=ret
  ns_capable(userns, cap)=one
   security_capable(cred, userns, cap, zero)=zero
    cap_capable(cred, userns, cap, zero)=zero
  commit_creds(cred)=zero *`,
  setgid: `
__x64_sys_setgid(uregs)=ret
 __sys_setgid(count)=ret
  ns_capable(userns, cap)=one
   security_capable(cred, userns, cap, zero)=zero
    cap_capable(cred, userns, cap, zero)=zero
  commit_creds(cred)=zero *`,
  setresuid: `
__x64_sys_setresuid(uregs)=ret
 __sys_setresuid(count, count, count)=ret
  ns_capable(userns, cap)=one
   security_capable(cred, userns, cap, zero)=zero
    cap_capable(cred, userns, cap, zero)=zero
  commit_creds(cred)=zero *`,
  mmap: `
__x64_sys_mmap(uregs)=ret
 ksys_mmap_pgoff(zero, count, flags, flags, fd, zero)=ret
  vm_mmap_pgoff(zero, zero, count, flags, flags, zero)=ret
   do_mmap(zero, zero, count, flags, flags, zero, zero, zero, zero)=ret *`,
};

const ARG_RE = /^\s*([A-Za-z_][\w.]*)\(([^)]*)\)(?:=(\w+))?\s*(\*)?\s*$/;

function parsePath(key: string, text: string): KPath {
  const frames: KFrame[] = [];
  let split = -1;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const m = ARG_RE.exec(line);
    if (!m) throw new Error(`kernel-paths ${key}: bad line '${line}'`);
    const depth = line.length - line.trimStart().length;
    const argNames = m[2]!.trim() === '' ? [] : m[2]!.split(',').map((a) => a.trim());
    const code = (n: string): number => {
      const c = (KA as Record<string, number>)[n];
      if (c === undefined) throw new Error(`kernel-paths ${key}: unknown source '${n}'`);
      return c;
    };
    frames.push({ fn: m[1]!, depth, args: argNames.map(code), ret: code(m[3] ?? 'zero') });
    if (m[4]) split = frames.length;
  }
  return { frames, split: split < 0 ? frames.length : split };
}

export const KERNEL_PATHS: ReadonlyMap<string, KPath> = new Map(Object.entries(TEXT).map(([k, v]) => [k, parsePath(k, v)]));

/** Every function named in some path (for the symbol table). */
export function pathFunctionNames(): string[] {
  const out = new Set<string>();
  for (const p of KERNEL_PATHS.values()) for (const f of p.frames) out.add(f.fn);
  return [...out];
}

/** A syscall without its own tree still passes through its __x64_sys_ wrapper. */
export function wrapperPath(event: string): KPath {
  return { frames: [{ fn: `__x64_sys_${event}`, depth: 0, args: [KA.uregs], ret: KA.ret }], split: 1 };
}
