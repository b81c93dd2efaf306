import { readdirSync, existsSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import {
  cTypeNames,
  kernelFunction,
  kernelFunctions,
  kernelStruct,
  kernelStructNames,
  kernelTypedef,
  kernelTypeSize,
  listTracepoints,
  syscallByEvent,
  syscallByName,
  syscallName,
  syscallTable,
  tracepointFormat,
} from '../../src/probes/catalog.js';
import { parseCType } from '../../src/probes/ctype.js';
import { catalogPath } from '../../src/probes/location.js';

describe('tracepoint index', () => {
  test('lists exactly the format files on disk, sorted', () => {
    const onDisk: string[] = [];
    for (const cat of readdirSync(catalogPath('tracepoints'))) {
      if (cat === 'index.txt') continue;
      for (const ev of readdirSync(catalogPath('tracepoints', cat))) {
        if (existsSync(catalogPath('tracepoints', cat, ev, 'format'))) onDisk.push(`${cat}:${ev}`);
      }
    }
    const indexed = listTracepoints().map((t) => `${t.category}:${t.event}`);
    expect(indexed).toEqual([...onDisk].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    expect(indexed.length).toBe(899);
  });

  test.each([
    ['raw_syscalls', 2],
    ['syscalls', 720],
    ['sched', 26],
    ['block', 24],
    ['signal', 2],
    ['task', 3],
    ['irq', 7],
    ['timer', 14],
    ['sock', 7],
    ['skb', 3],
    ['net', 16],
    ['writeback', 33],
    ['tcp', 17],
    ['filemap', 7],
    ['workqueue', 4],
    ['kmem', 14],
  ])('category %s has %i events', (category, count) => {
    expect(listTracepoints().filter((t) => t.category === category)).toHaveLength(count);
  });

  test('every indexed tracepoint has a format whose fields all resolve', () => {
    const unresolved: string[] = [];
    for (const { category, event } of listTracepoints()) {
      const f = tracepointFormat(category, event);
      expect(f, `${category}:${event}`).toBeDefined();
      expect(f!.fields.filter((x) => x.common).map((x) => x.name)).toEqual([
        'common_type',
        'common_flags',
        'common_preempt_count',
        'common_pid',
      ]);
      for (const field of f!.fields) {
        const text = field.dataLoc ? field.typeText.slice('__data_loc'.length) : field.typeText;
        if (!parseCType(text, cTypeNames())) unresolved.push(`${category}:${event} ${field.decl}`);
        // Fields lie inside the record and do not overlap the next one.
        expect(field.offset + field.size).toBeLessThanOrEqual(f!.size);
      }
    }
    expect(unresolved).toEqual([]);
  });

  test('every syscall tracepoint pairs with a syscall number, enter and exit alike', () => {
    for (const { category, event } of listTracepoints()) {
      if (category !== 'syscalls') continue;
      const suffix = event.replace(/^sys_(enter|exit)_/, '');
      expect(syscallByEvent(suffix), event).toBeDefined();
    }
  });
});

describe('syscall table', () => {
  test.each([
    [0, 'read'],
    [1, 'write'],
    [2, 'open'],
    [3, 'close'],
    [4, 'stat'],
    [35, 'nanosleep'],
    [56, 'clone'],
    [59, 'execve'],
    [62, 'kill'],
    [202, 'futex'],
    [230, 'clock_nanosleep'],
    [257, 'openat'],
    [281, 'epoll_pwait'],
    [322, 'execveat'],
    [335, 'uretprobe'],
    [437, 'openat2'],
    [451, 'cachestat'],
    [462, 'mseal'],
    [469, 'file_setattr'],
  ])('%i is %s', (nr, name) => {
    expect(syscallName(nr)).toBe(name);
    expect(syscallByName(name)?.nr).toBe(nr);
  });

  test.each([
    ['stat', 'newstat'],
    ['fstat', 'newfstat'],
    ['lstat', 'newlstat'],
    ['uname', 'newuname'],
    ['sendfile', 'sendfile64'],
    ['umount2', 'umount'],
    ['openat', 'openat'],
  ])('%s fires sys_enter_%s', (name, event) => {
    expect(syscallByName(name)?.event).toBe(event);
    expect(syscallByEvent(event)?.name).toBe(name);
  });

  test('numbers ascend without duplicates; holes have no name', () => {
    const nrs = syscallTable().map((s) => s.nr);
    expect(nrs).toEqual([...new Set(nrs)].sort((a, b) => a - b));
    expect(syscallTable()).toHaveLength(383);
    expect(syscallName(400)).toBeUndefined();
    expect(syscallName(-1)).toBeUndefined();
    expect(syscallByName('map_shadow_stack')).toEqual({ nr: 453, name: 'map_shadow_stack' });
  });
});

describe('kernel functions', () => {
  test('vfs_read has its BTF signature', () => {
    const f = kernelFunction('vfs_read')!;
    expect(f.btf).toBe(true);
    expect(f.args.map((a) => [a.name, a.type.text])).toEqual([
      ['file', 'struct file *'],
      ['buf', 'char *'],
      ['count', 'size_t'],
      ['pos', 'loff_t *'],
    ]);
    expect(f.ret).toEqual({
      text: 'ssize_t',
      base: 'long int',
      baseKind: 'int',
      baseSize: 8,
      signed: true,
      pointerDepth: 0,
      size: 8,
    });
  });

  test.each([
    ['tcp_connect', ['struct sock * sk'], 'int'],
    ['tcp_set_state', ['struct sock * sk', 'int state'], 'void'],
    ['tcp_sendmsg', ['struct sock * sk', 'struct msghdr * msg', 'size_t size'], 'int'],
    ['do_nanosleep', ['struct hrtimer_sleeper * t', 'enum hrtimer_mode mode'], 'int'],
    ['do_sys_openat2', ['int dfd', 'const char * filename', 'struct open_how * how'], 'int'],
    ['cap_capable', ['const struct cred * cred', 'struct user_namespace * target_ns', 'int cap', 'unsigned int opts'], 'int'],
    ['vfs_open', ['const struct path * path', 'struct file * file'], 'int'],
    ['blk_mq_start_request', ['struct request * rq'], 'void'],
    ['inet_csk_accept', ['struct sock * sk', 'struct proto_accept_arg * arg'], 'struct sock *'],
    ['oom_kill_process', ['struct oom_control * oc', 'const char * message'], 'void'],
    ['__x64_sys_execve', ['const struct pt_regs * regs'], 'long int'],
  ])('%s(%j) → %s', (name, args, ret) => {
    const f = kernelFunction(name)!;
    expect(f.args.map((a) => `${a.type.text} ${a.name}`)).toEqual(args);
    expect(f.ret.text).toBe(ret);
  });

  test('syscall wrappers missing from BTF are kprobe-only', () => {
    expect(kernelFunction('__x64_sys_getuid')).toMatchObject({ btf: false, args: [{ name: 'regs' }], ret: { text: 'long' } });
  });

  test('functions absent from this kernel are absent from the catalog', () => {
    for (const name of ['tcp_drop', '__blk_account_io_start', 'md_flush_request', 'no_such_function']) {
      expect(kernelFunction(name)).toBeUndefined();
    }
  });

  test('the list is sorted and includes every vfs_* the tools probe', () => {
    const names = kernelFunctions().map((f) => f.name);
    expect(names).toEqual([...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    for (const n of ['vfs_read', 'vfs_write', 'vfs_readv', 'vfs_writev', 'vfs_fsync', 'vfs_create', 'vfs_unlink', 'vfs_rename']) {
      expect(names).toContain(n);
    }
  });
});

describe('kernel structs', () => {
  // Offsets and sizes confirmed with bpftrace 0.23's offsetof()/sizeof() on the same kernel.
  test.each([
    ['task_struct', 3264, { pid: 1264, tgid: 1268, comm: 1752, real_parent: 1280, se: 128, mm: 1136, fs: 1816, cred: 1736 }],
    [
      'sock_common',
      136,
      {
        skc_daddr: 0,
        skc_rcv_saddr: 4,
        skc_dport: 12,
        skc_num: 14,
        skc_family: 16,
        skc_state: 18,
        skc_v6_daddr: 56,
        skc_v6_rcv_saddr: 72,
      },
    ],
    ['sock', 784, { __sk_common: 0, sk_protocol: 532, sk_ack_backlog: 600, sk_max_ack_backlog: 604 }],
    ['sk_buff', 224, { sk: 24, len: 112, data: 200 }],
    ['dentry', 192, { d_parent: 24, d_name: 32 }],
    ['qstr', 16, { name: 8 }],
    ['file', 184, { f_inode: 32, f_path: 64 }],
    ['path', 16, { dentry: 8 }],
    ['tcp_sock', 2304, { bytes_received: 1752, bytes_acked: 1824 }],
    ['cfs_rq', 512, { nr_queued: 16 }],
    ['sched_entity', undefined, { cfs_rq: 168 }],
    ['request', 248, { q: 0 }],
    ['bio', 120, { bi_bdev: 8, bi_iter: 32 }],
    ['oom_control', 64, { totalpages: 32, chosen: 40 }],
    ['nameidata', 240, { last: 16 }],
  ] as [string, number | undefined, Record<string, number>][])('struct %s', (name, size, offsets) => {
    const s = kernelStruct(name)!;
    expect(s.name).toBe(`struct ${name}`);
    if (size !== undefined) expect(s.size).toBe(size);
    for (const [field, offset] of Object.entries(offsets)) {
      expect(s.fields.find((f) => f.name === field)?.offset, `${name}.${field}`).toBe(offset);
    }
  });

  test('field types, nested unions and typedef-named structs', () => {
    const sc = kernelStruct('struct sock_common')!;
    expect(sc.fields.find((f) => f.name === 'skc_dport')!.type).toMatchObject({ text: '__be16', size: 2, signed: false });
    const v6 = sc.fields.find((f) => f.name === 'skc_v6_daddr')!;
    expect(v6.type).toMatchObject({ text: 'struct in6_addr', base: 'struct in6_addr', size: 16 });
    const in6 = kernelStruct('in6_addr')!;
    const in6u = in6.fields.find((f) => f.name === 'in6_u')!;
    expect(in6u.type.base).toBe('struct in6_addr::in6_u');
    expect(kernelStruct(in6u.type.base)).toMatchObject({ union: true, size: 16 });
    expect(kernelStruct(in6u.type.base)!.fields.find((f) => f.name === 'u6_addr8')!.type).toMatchObject({
      text: '__u8[16]',
      arrayLength: 16,
    });
    const comm = kernelStruct('task_struct')!.fields.find((f) => f.name === 'comm')!;
    expect(comm.type).toMatchObject({ text: 'char[16]', base: 'char', arrayLength: 16, size: 16 });
    expect(kernelStruct('atomic_t')).toEqual({
      name: 'atomic_t',
      size: 4,
      fields: [{ name: 'counter', type: { text: 'int', base: 'int', baseKind: 'int', baseSize: 4, signed: true, pointerDepth: 0, size: 4 }, offset: 0, size: 4 }],
    });
  });

  test('bit fields carry their bit position', () => {
    const sc = kernelStruct('sock_common')!;
    expect(sc.fields.find((f) => f.name === 'skc_reuse')).toMatchObject({ offset: 19, bitfield: { bitOffset: 0, bitWidth: 4 } });
    expect(sc.fields.find((f) => f.name === 'skc_ipv6only')).toMatchObject({ offset: 19, bitfield: { bitOffset: 5, bitWidth: 1 } });
  });

  test('every struct held by value is laid out, and texts agree with parseCType', () => {
    const disagreements: string[] = [];
    for (const key of kernelStructNames()) {
      for (const f of kernelStruct(key)!.fields) {
        const t = f.type;
        if (t.pointerDepth === 0 && (t.baseKind === 'struct' || t.baseKind === 'union')) {
          expect(kernelStruct(t.base), `${key}.${f.name}: ${t.base}`).toBeDefined();
        }
        // Function pointer and anonymous types have no text form parseCType reads.
        if (t.baseKind === 'func' || t.text.includes('{')) continue;
        const parsed = parseCType(t.text, cTypeNames());
        if (!parsed) continue; // typedefs used only inside structs are not in types.json
        if (parsed.size !== t.size || parsed.pointerDepth !== t.pointerDepth || parsed.signed !== t.signed) {
          disagreements.push(`${key}.${f.name}: ${t.text}`);
        }
      }
    }
    expect(disagreements).toEqual([]);
  });

  test('typedefs and tag sizes', () => {
    expect(kernelTypedef('pid_t')).toMatchObject({ base: 'int', size: 4, signed: true });
    expect(kernelTypedef('cap_user_header_t')).toMatchObject({ base: 'struct __user_cap_header_struct', pointerDepth: 1 });
    expect(kernelTypedef('no_such_t')).toBeUndefined();
    expect(kernelTypedef('constructor')).toBeUndefined();
    expect(kernelTypeSize('struct sock')).toBe(784);
    expect(kernelTypeSize('struct open_how')).toBe(24);
    expect(kernelStruct('spinlock_t')?.name).toBe('struct spinlock');
    expect(kernelStruct('no_such_struct')).toBeUndefined();
  });
});
