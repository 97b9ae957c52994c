// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the NIC's dirty-page log, from the vendor interface
 * (Documentation/vendor-interface.rst, "Dirty-page logging"), and the
 * driver's log ops on it.
 */
#include <kunit/test.h>
#include <linux/bitops.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/slab.h>

#include "snic_vq_test.h"

#define RD	SNIC_IOTLB_PERM_READ
#define WR	SNIC_IOTLB_PERM_WRITE

/* Where the tests map their buffer, and how much of it. */
#define LOG_IOVA	0x40000ULL
#define LOG_PAGES	8
#define DRV_F		SNIC_MANDATORY_FEATURES

/**
 * struct snic_tlog - a bitmap in two pages that are not contiguous, with
 *	guard bytes around it, and its page list
 * @page: the pages
 * @va: their kernel addresses
 * @list: the page list, as the NIC reads it
 * @offset: byte offset of bit 0 in @page[0]
 * @nbits: bits in the bitmap
 */
struct snic_tlog {
	struct page *page[2];
	u8 *va[2];
	__le64 *list;
	unsigned int offset;
	u64 nbits;
};

/* The guard pattern of the bytes around and in a fresh bitmap. */
#define GUARD	0xa5

static void snic_tlog_free(void *data)
{
	struct snic_tlog *l = data;

	__free_page(l->page[0]);
	__free_page(l->page[1]);
	kfree(l->list);
}

/*
 * A bitmap of @nbits bits from byte @offset of the first page on; its
 * bytes zero, every other byte of the two pages GUARD.
 */
static struct snic_tlog *snic_tlog(struct kunit *test, unsigned int offset,
				   u64 nbits)
{
	struct snic_tlog *l = kunit_kzalloc(test, sizeof(*l), GFP_KERNEL);
	u64 bytes = DIV_ROUND_UP(nbits, 8), i;

	if (PAGE_SIZE != SNIC_LOG_PAGE_SIZE)
		kunit_skip(test, "the test lays out 4 KiB pages");
	KUNIT_ASSERT_NOT_NULL(test, l);
	l->page[0] = alloc_page(GFP_KERNEL);
	l->page[1] = alloc_page(GFP_KERNEL);
	l->list = kcalloc(2, sizeof(*l->list), GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, l->page[0] && l->page[1] && l->list);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, snic_tlog_free, l), 0);
	l->va[0] = page_address(l->page[0]);
	l->va[1] = page_address(l->page[1]);
	memset(l->va[0], GUARD, PAGE_SIZE);
	memset(l->va[1], GUARD, PAGE_SIZE);
	for (i = 0; i < bytes; i++)
		l->va[(offset + i) / PAGE_SIZE][(offset + i) % PAGE_SIZE] = 0;
	l->list[0] = cpu_to_le64(page_to_phys(l->page[0]));
	l->list[1] = cpu_to_le64(page_to_phys(l->page[1]));
	l->offset = offset;
	l->nbits = nbits;
	return l;
}

static u8 *snic_tlog_byte(struct snic_tlog *l, u64 byte)
{
	return &l->va[(l->offset + byte) / PAGE_SIZE][(l->offset + byte) % PAGE_SIZE];
}

/* Bit @n: the page at IOVA n * 4096. */
static bool snic_tlog_bit(struct snic_tlog *l, u64 n)
{
	return *snic_tlog_byte(l, n / 8) & BIT(n % 8);
}

static unsigned int snic_tlog_weight(struct snic_tlog *l)
{
	unsigned int w = 0;
	u64 n;

	for (n = 0; n < l->nbits; n++)
		w += snic_tlog_bit(l, n);
	return w;
}

static void snic_tlog_clear(struct snic_tlog *l)
{
	u64 i;

	for (i = 0; i < DIV_ROUND_UP(l->nbits, 8); i++)
		*snic_tlog_byte(l, i) = 0;
}

/* Every byte outside the bitmap still GUARD; spare bits of its last byte 0. */
static bool snic_tlog_guarded(struct snic_tlog *l)
{
	u64 bytes = DIV_ROUND_UP(l->nbits, 8), i;

	for (i = 0; i < 2 * PAGE_SIZE; i++) {
		u8 v = l->va[i / PAGE_SIZE][i % PAGE_SIZE];

		if ((i < l->offset || i >= l->offset + bytes) && v != GUARD)
			return false;
	}
	return !(l->nbits % 8) ||
	       !(*snic_tlog_byte(l, bytes - 1) & ~(BIT(l->nbits % 8) - 1));
}

static int snic_tlog_start(struct snic_test_nic *t, u16 fn, u16 asid,
			   struct snic_tlog *l)
{
	return snic_hw_log_start(&t->nic.hw, fn, asid, virt_to_phys(l->list), 2,
				 l->offset, l->nbits);
}

/**
 * struct snic_lfix - a function whose address spaces map LOG_PAGES pages
 *	of kernel memory at LOG_IOVA: writable in AS 0 but the last page,
 *	read-only there; writable in AS 1
 * @t: the NIC
 * @fn: the model's function 0
 * @buf: the memory
 */
struct snic_lfix {
	struct snic_test_nic *t;
	struct snic_model_fn *fn;
	u8 *buf;
};

static void snic_lfix_free(void *data)
{
	free_pages((unsigned long)data, get_order(LOG_PAGES * PAGE_SIZE));
}

static struct snic_lfix *snic_lfix(struct kunit *test)
{
	struct snic_lfix *x = kunit_kzalloc(test, sizeof(*x), GFP_KERNEL);
	struct snic_hw *hw;
	unsigned int asid;
	u64 pa;

	KUNIT_ASSERT_NOT_NULL(test, x);
	x->t = snic_test_nic(test);
	hw = &x->t->nic.hw;
	x->buf = (u8 *)__get_free_pages(GFP_KERNEL | __GFP_ZERO,
					get_order(LOG_PAGES * PAGE_SIZE));
	KUNIT_ASSERT_NOT_NULL(test, x->buf);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, snic_lfix_free,
							x->buf), 0);
	pa = virt_to_phys(x->buf);
	snic_tfn_create(test, x->t, 0, SNIC_SUPPORTED_FEATURES, DRV_F);
	for (asid = 0; asid < 2; asid++)
		KUNIT_ASSERT_EQ(test, snic_hw_iotlb_reset(hw, 0, asid, 0), 0);
	KUNIT_ASSERT_EQ(test, snic_hw_iotlb_map(hw, 0, 0, LOG_IOVA,
						(LOG_PAGES - 1) * PAGE_SIZE,
						pa, RD | WR), 0);
	KUNIT_ASSERT_EQ(test, snic_hw_iotlb_map(hw, 0, 0,
						LOG_IOVA + (LOG_PAGES - 1) * PAGE_SIZE,
						PAGE_SIZE,
						pa + (LOG_PAGES - 1) * PAGE_SIZE,
						RD), 0);
	KUNIT_ASSERT_EQ(test, snic_hw_iotlb_map(hw, 0, 1, LOG_IOVA,
						LOG_PAGES * PAGE_SIZE, pa,
						RD | WR), 0);
	x->fn = &x->t->model->fns[0];
	return x;
}

/* The NIC writes @len bytes at @iova of @asid. */
static int snic_lfix_write(struct snic_lfix *x, u16 asid, u64 iova, size_t len)
{
	static const u8 junk[LOG_PAGES * SNIC_LOG_PAGE_SIZE];

	if (len > sizeof(junk))
		return -E2BIG;
	return snic_model_dma_write(x->fn, asid, iova, junk, len);
}

#define PG(iova)	((iova) >> SNIC_LOG_PAGE_SHIFT)

/* Malformed DIRTY_LOG_START commands are refused, and log nothing. */
static void snic_log_start_checks(struct kunit *test)
{
	struct snic_lfix *x = snic_lfix(test);
	struct snic_hw *hw = &x->t->nic.hw;
	struct snic_tlog *l = snic_tlog(test, 0, 2 * PAGE_SIZE * 8);
	u64 list = virt_to_phys(l->list);

	struct snic_cmd_log_start raw = {
		.hdr = {
			.opcode = cpu_to_le16(SNIC_OP_DIRTY_LOG_START),
			.length = cpu_to_le32(sizeof(raw)),
		},
		.page_shift = 16,
		.nbits = cpu_to_le64(64),
		.list = cpu_to_le64(list),
		.npages = cpu_to_le32(2),
	};

	KUNIT_EXPECT_EQ(test, snic_hw_log_start(hw, 0, 0, list, 2, 0, 64), 0);
	KUNIT_EXPECT_EQ(test, snic_hw_log_stop(hw, 0, 0), 0);
	/* 64 KiB per bit: only 4 KiB is. */
	KUNIT_EXPECT_EQ(test, snic_test_raw_cmd(x->t, (u32 *)&raw, sizeof(raw) / 4),
			SNIC_ST_EINVAL);
	raw.page_shift = SNIC_LOG_PAGE_SHIFT;
	KUNIT_EXPECT_EQ(test, snic_test_raw_cmd(x->t, (u32 *)&raw, sizeof(raw) / 4),
			SNIC_ST_OK);
	KUNIT_EXPECT_EQ(test, snic_hw_log_stop(hw, 0, 0), 0);
	/* Offset beyond the first page. */
	KUNIT_EXPECT_EQ(test, snic_hw_log_start(hw, 0, 0, list, 2, 4096, 64),
			-EINVAL);
	/* No bits; more bits than the pages hold (by one). */
	KUNIT_EXPECT_EQ(test, snic_hw_log_start(hw, 0, 0, list, 2, 0, 0),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, snic_hw_log_start(hw, 0, 0, list, 2, 8,
						2 * 4096 * 8 - 63), -EINVAL);
	KUNIT_EXPECT_EQ(test, snic_hw_log_start(hw, 0, 0, list, 2, 8,
						2 * 4096 * 8 - 64), 0);
	KUNIT_EXPECT_EQ(test, snic_hw_log_stop(hw, 0, 0), 0);
	/* No page; a list not 8-byte aligned; an address space it lacks. */
	KUNIT_EXPECT_EQ(test, snic_hw_log_start(hw, 0, 0, list, 0, 0, 64),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, snic_hw_log_start(hw, 0, 0, list + 4, 2, 0, 64),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, snic_hw_log_start(hw, 0, 2, list, 2, 0, 64),
			-EINVAL);
	/* A page of the list not 4 KiB aligned. */
	l->list[1] = cpu_to_le64(page_to_phys(l->page[1]) + 8);
	KUNIT_EXPECT_EQ(test, snic_hw_log_start(hw, 0, 0, list, 2, 0, 64),
			-EINVAL);
	/* None of them started a log. */
	KUNIT_EXPECT_EQ(test, snic_hw_log_sync(hw, 0, 0), -ENOENT);
	KUNIT_EXPECT_EQ(test, snic_hw_log_stop(hw, 0, 0), -ENOENT);
	KUNIT_EXPECT_EQ(test, snic_lfix_write(x, 0, LOG_IOVA, 64), 0);
	KUNIT_EXPECT_EQ(test, snic_tlog_weight(l), 0);
}

/*
 * Each page written has its bit, bit n % 8 of byte n / 8 from the offset
 * on, whatever the bitmap's pages; reads and other address spaces set
 * none; writes beyond the bitmap are made, not logged.
 */
static void snic_log_bits(struct kunit *test)
{
	struct snic_lfix *x = snic_lfix(test);
	/* Bit 0 at byte 4090: bits of pages 48.. are in the second page. */
	struct snic_tlog *l = snic_tlog(test, 4090, PG(LOG_IOVA) + LOG_PAGES - 2);
	u8 out[16];

	KUNIT_ASSERT_EQ(test, snic_tlog_start(x->t, 0, 0, l), 0);
	KUNIT_EXPECT_EQ(test, snic_lfix_write(x, 0, LOG_IOVA + 10, 1), 0);
	KUNIT_EXPECT_TRUE(test, snic_tlog_bit(l, PG(LOG_IOVA)));
	KUNIT_EXPECT_EQ(test, snic_tlog_weight(l), 1);
	/* Two bytes across a page boundary: two pages. */
	KUNIT_EXPECT_EQ(test, snic_lfix_write(x, 0, LOG_IOVA + 2 * 4096 - 1, 2),
			0);
	KUNIT_EXPECT_TRUE(test, snic_tlog_bit(l, PG(LOG_IOVA) + 1));
	KUNIT_EXPECT_TRUE(test, snic_tlog_bit(l, PG(LOG_IOVA) + 2));
	KUNIT_EXPECT_EQ(test, snic_tlog_weight(l), 3);
	/* Reads, and writes into address space 1, log nothing. */
	KUNIT_EXPECT_EQ(test, snic_model_dma_read(x->fn, 0, LOG_IOVA + 3 * 4096,
						  out, sizeof(out)), 0);
	KUNIT_EXPECT_EQ(test, snic_lfix_write(x, 1, LOG_IOVA + 3 * 4096, 8), 0);
	KUNIT_EXPECT_EQ(test, snic_tlog_weight(l), 3);
	/* The last bit of the bitmap; then the page after it: not logged. */
	KUNIT_EXPECT_EQ(test, snic_lfix_write(x, 0, LOG_IOVA + 5 * 4096 + 8, 8),
			0);
	KUNIT_EXPECT_TRUE(test, snic_tlog_bit(l, l->nbits - 1));
	KUNIT_EXPECT_EQ(test, snic_lfix_write(x, 0, LOG_IOVA + 6 * 4096, 8), 0);
	KUNIT_EXPECT_EQ(test, snic_tlog_weight(l), 4);
	/* A write the mapping refuses (read-only) logs nothing. */
	KUNIT_EXPECT_EQ(test, snic_lfix_write(x, 0, LOG_IOVA + 7 * 4096, 8),
			-EPERM);
	KUNIT_EXPECT_EQ(test, snic_tlog_weight(l), 4);
	KUNIT_EXPECT_TRUE(test, snic_tlog_guarded(l));
	KUNIT_EXPECT_EQ(test, snic_hw_log_sync(&x->t->nic.hw, 0, 0), 0);
}

/* The NIC only sets bits: the host clears them while it logs. */
static void snic_log_host_clears(struct kunit *test)
{
	struct snic_lfix *x = snic_lfix(test);
	struct snic_tlog *l = snic_tlog(test, 0, 128);

	KUNIT_ASSERT_EQ(test, snic_tlog_start(x->t, 0, 0, l), 0);
	KUNIT_EXPECT_EQ(test, snic_lfix_write(x, 0, LOG_IOVA, 4096 * 3), 0);
	KUNIT_EXPECT_EQ(test, snic_tlog_weight(l), 3);
	snic_tlog_clear(l);
	KUNIT_EXPECT_EQ(test, snic_lfix_write(x, 0, LOG_IOVA + 4096, 1), 0);
	KUNIT_EXPECT_EQ(test, snic_tlog_weight(l), 1);
	KUNIT_EXPECT_TRUE(test, snic_tlog_bit(l, PG(LOG_IOVA) + 1));
	/* A bit the host set stays set. */
	*snic_tlog_byte(l, 0) |= BIT(3);
	KUNIT_EXPECT_EQ(test, snic_lfix_write(x, 0, LOG_IOVA, 1), 0);
	KUNIT_EXPECT_TRUE(test, *snic_tlog_byte(l, 0) & BIT(3));
}

/*
 * A second START replaces the bitmap; STOP, FN_RESET and FN_DESTROY end
 * logging; FN_SUSPEND does not.
 */
static void snic_log_lifecycle(struct kunit *test)
{
	struct snic_lfix *x = snic_lfix(test);
	struct snic_hw *hw = &x->t->nic.hw;
	struct snic_tlog *a = snic_tlog(test, 0, 128);
	struct snic_tlog *b = snic_tlog(test, 100, 128);

	KUNIT_ASSERT_EQ(test, snic_tlog_start(x->t, 0, 0, a), 0);
	KUNIT_EXPECT_EQ(test, snic_lfix_write(x, 0, LOG_IOVA, 1), 0);
	KUNIT_ASSERT_EQ(test, snic_tlog_start(x->t, 0, 0, b), 0);
	KUNIT_EXPECT_EQ(test, snic_lfix_write(x, 0, LOG_IOVA + 4096, 1), 0);
	KUNIT_EXPECT_EQ(test, snic_tlog_weight(a), 1);
	KUNIT_EXPECT_TRUE(test, snic_tlog_bit(a, PG(LOG_IOVA)));
	KUNIT_EXPECT_EQ(test, snic_tlog_weight(b), 1);
	KUNIT_EXPECT_TRUE(test, snic_tlog_bit(b, PG(LOG_IOVA) + 1));

	KUNIT_EXPECT_EQ(test, snic_hw_log_stop(hw, 0, 0), 0);
	KUNIT_EXPECT_EQ(test, snic_lfix_write(x, 0, LOG_IOVA + 2 * 4096, 1), 0);
	KUNIT_EXPECT_EQ(test, snic_tlog_weight(b), 1);
	KUNIT_EXPECT_EQ(test, snic_hw_log_sync(hw, 0, 0), -ENOENT);

	/* Suspended, the log stays; a reset ends it, mappings kept. */
	KUNIT_ASSERT_EQ(test, snic_tlog_start(x->t, 0, 0, b), 0);
	snic_tfn_driver_ok(test, x->t, 0);
	KUNIT_EXPECT_EQ(test, snic_hw_fn_suspend(hw, 0), 0);
	KUNIT_EXPECT_EQ(test, snic_hw_log_sync(hw, 0, 0), 0);
	KUNIT_EXPECT_EQ(test, snic_hw_fn_resume(hw, 0), 0);
	KUNIT_EXPECT_EQ(test, snic_hw_fn_reset(hw, 0, 0), 0);
	KUNIT_EXPECT_EQ(test, snic_hw_log_sync(hw, 0, 0), -ENOENT);
	KUNIT_EXPECT_EQ(test, snic_lfix_write(x, 0, LOG_IOVA + 3 * 4096, 1), 0);
	KUNIT_EXPECT_EQ(test, snic_tlog_weight(b), 1);

	KUNIT_ASSERT_EQ(test, snic_tlog_start(x->t, 0, 0, b), 0);
	KUNIT_EXPECT_EQ(test, snic_hw_fn_destroy(hw, 0), 0);
	snic_tfn_create(test, x->t, 0, SNIC_SUPPORTED_FEATURES, DRV_F);
	KUNIT_EXPECT_EQ(test, snic_hw_log_sync(hw, 0, 0), -ENOENT);
}

/*
 * The debug knobs: write_trace records every page written apart from the
 * log, log_drop leaves out the pages whose number is a multiple of N;
 * comparing the two finds each page left out.
 */
static void snic_log_knobs(struct kunit *test)
{
	struct snic_lfix *x = snic_lfix(test);
	struct snic_model *m = x->t->model;
	struct snic_tlog *l = snic_tlog(test, 0, 128);
	unsigned int traced = 0, missed = 0;
	unsigned long index;
	void *entry;

	WRITE_ONCE(m->trace_fn, 0);
	/* Pages 64 to 69 written: 66 and 69 left out. */
	WRITE_ONCE(m->log_drop, 3);
	KUNIT_ASSERT_EQ(test, snic_tlog_start(x->t, 0, 0, l), 0);
	KUNIT_EXPECT_EQ(test, snic_lfix_write(x, 0, LOG_IOVA, 6 * 4096), 0);
	xa_for_each(&m->trace, index, entry) {
		traced++;
		missed += !snic_tlog_bit(l, index);
	}
	KUNIT_EXPECT_EQ(test, traced, 6);
	KUNIT_EXPECT_EQ(test, missed, 2);
	KUNIT_EXPECT_EQ(test, snic_tlog_weight(l), 4);
	KUNIT_EXPECT_FALSE(test, snic_tlog_bit(l, 66));
	KUNIT_EXPECT_FALSE(test, snic_tlog_bit(l, 69));
	/* Written again, still left out. */
	KUNIT_EXPECT_EQ(test, snic_lfix_write(x, 0, LOG_IOVA + 2 * 4096, 1), 0);
	KUNIT_EXPECT_FALSE(test, snic_tlog_bit(l, 66));
	WRITE_ONCE(m->log_drop, 0);
	WRITE_ONCE(m->trace_fn, -1);
	xa_destroy(&m->trace);
}

/*
 * The driver's log ops: a NIC that logs has them and says so in the
 * backend features; the bitmap is the caller's pages, the IOVA indexes
 * it; a reset ends the log.
 */
static void snic_log_vdpa_ops(struct kunit *test)
{
	struct snic_test_nic *t = snic_test_nic(test);
	struct snic_dev_params p = {
		.features = SNIC_SUPPORTED_FEATURES,
		.mac = { 0x02, 0, 0, 0, 0, 7 },
		.mtu = 1500,
		.max_vq_pairs = 1,
	};
	struct snic_vdpa *sv = snic_test_vdpa(test, t, &p);
	const struct vdpa_config_ops *ops = sv->vdpa.config;
	struct snic_tlog *l = snic_tlog(test, 16, 256);
	struct vdpa_log log = {
		.pages = l->page,
		.npages = 2,
		.offset = l->offset,
		.nbits = l->nbits,
	};
	struct snic_model_fn *fn = &t->model->fns[sv->fn];
	u8 *buf = (u8 *)__get_free_page(GFP_KERNEL);
	static const u8 data[8];

	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_EXPECT_TRUE(test, ops->get_backend_features(&sv->vdpa) &
			  BIT_ULL(VHOST_BACKEND_F_LOG_ALL_DEVICE));
	KUNIT_ASSERT_PTR_EQ(test, (void *)snic_log_ops(&t->nic.ops)->log_start,
			    (void *)snic_log_start);
	KUNIT_ASSERT_EQ(test, ops->dma_map(&sv->vdpa, 0, 0x9000, PAGE_SIZE,
					   virt_to_phys(buf), VHOST_MAP_RW,
					   NULL), 0);
	KUNIT_ASSERT_EQ(test, snic_log_start(&sv->vdpa, 0, &log), 0);
	KUNIT_EXPECT_EQ(test, snic_model_dma_write(fn, 0, 0x9010, data, 8), 0);
	KUNIT_EXPECT_EQ(test, snic_log_sync(&sv->vdpa, 0), 0);
	KUNIT_EXPECT_TRUE(test, snic_tlog_bit(l, 9));
	KUNIT_EXPECT_EQ(test, snic_tlog_weight(l), 1);
	KUNIT_EXPECT_EQ(test, snic_log_sync(&sv->vdpa, 1), -ENOENT);
	KUNIT_EXPECT_EQ(test, snic_log_start(&sv->vdpa, 2, &log), -EINVAL);
	/* A bitmap its pages cannot hold. */
	log.nbits = 2 * PAGE_SIZE * 8;
	KUNIT_EXPECT_EQ(test, snic_log_start(&sv->vdpa, 0, &log), -EINVAL);
	log.nbits = l->nbits;

	KUNIT_EXPECT_EQ(test, ops->reset(&sv->vdpa), 0);
	KUNIT_EXPECT_EQ(test, snic_log_sync(&sv->vdpa, 0), -ENOENT);
	KUNIT_EXPECT_EQ(test, snic_log_stop(&sv->vdpa, 0), -ENOENT);
	KUNIT_EXPECT_EQ(test, snic_log_start(&sv->vdpa, 0, &log), 0);
	KUNIT_EXPECT_EQ(test, snic_log_stop(&sv->vdpa, 0), 0);
	KUNIT_EXPECT_EQ(test, snic_model_dma_write(fn, 0, 0x9010, data, 8), 0);
	KUNIT_EXPECT_EQ(test, snic_tlog_weight(l), 1);
	KUNIT_EXPECT_TRUE(test, snic_tlog_guarded(l));
	KUNIT_EXPECT_EQ(test, ops->dma_unmap(&sv->vdpa, 0, 0x9000, PAGE_SIZE), 0);
	free_page((unsigned long)buf);
}

/* A NIC without CAP_DIRTY_LOG: no log ops, no backend feature. */
static void snic_log_no_cap(struct kunit *test)
{
	static const struct snic_spy_reg regs[] = {
		{ SNIC_REG_CAPS, SNIC_CAP_SUSPEND | SNIC_CAP_VQ_STATE },
	};
	struct snic_test_nic *t = snic_test_nic_regs(test, regs, ARRAY_SIZE(regs));
	struct snic_dev_params p = {
		.features = SNIC_SUPPORTED_FEATURES & ~BIT_ULL(VIRTIO_F_RING_PACKED),
		.mac = { 0x02, 0, 0, 0, 0, 8 },
		.mtu = 1500,
		.max_vq_pairs = 1,
	};
	struct snic_vdpa *sv = snic_test_vdpa(test, t, &p);

	KUNIT_EXPECT_FALSE(test, sv->vdpa.config->get_backend_features(&sv->vdpa) &
			   BIT_ULL(VHOST_BACKEND_F_LOG_ALL_DEVICE));
	KUNIT_EXPECT_NULL(test, snic_log_ops(&t->nic.ops)->log_start);
	KUNIT_EXPECT_NULL(test, snic_log_ops(&t->nic.ops)->log_stop);
	KUNIT_EXPECT_NULL(test, snic_log_ops(&t->nic.ops)->log_sync);
}

static struct kunit_case snic_log_cases[] = {
	KUNIT_CASE(snic_log_start_checks),
	KUNIT_CASE(snic_log_bits),
	KUNIT_CASE(snic_log_host_clears),
	KUNIT_CASE(snic_log_lifecycle),
	KUNIT_CASE(snic_log_knobs),
	KUNIT_CASE(snic_log_vdpa_ops),
	KUNIT_CASE(snic_log_no_cap),
	{}
};

static struct kunit_suite snic_log_suite = {
	.name = "snic_dirty_log",
	.test_cases = snic_log_cases,
};

kunit_test_suite(snic_log_suite);
