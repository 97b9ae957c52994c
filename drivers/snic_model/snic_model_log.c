// SPDX-License-Identifier: GPL-2.0
/*
 * Software model: the NIC's dirty-page log (vendor interface,
 * "Dirty-page logging").  The host gives a bitmap by the bus addresses of
 * its pages; every write of the NIC into a logged address space sets the
 * bits of the pages it touched, in place, with an atomic OR.
 *
 * All writes into driver memory go through snic_model_dma(), which calls
 * snic_model_log_write() under the function's iotlb_lock right after the
 * data went in.  The same lock guards the log: a command that swaps,
 * stops or synchronises a log takes it, so on its completion every write
 * made before it is logged and none touches an old bitmap.
 *
 * Two debug knobs serve the tests that check the log (debugfs):
 *  - write_trace: the pages of address space 0 of one function that the
 *    NIC wrote, recorded apart from any log, as the oracle of a check;
 *  - log_drop: never log the pages whose number is a multiple of N, a
 *    broken NIC such a check must catch (whatever the order of writes:
 *    a page written again is left out again).
 */
#include <linux/align.h>
#include <linux/bitops.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/xarray.h>

#include "snic_model.h"

/* DMA actor: set bit *@arg (0-7) of the byte at @kaddr. */
static void snic_log_set_actor(void *arg, void *kaddr, size_t len)
{
	unsigned long *word = PTR_ALIGN_DOWN(kaddr, sizeof(long));
	unsigned int bit = *(unsigned int *)arg;

	/*
	 * Bits count little-endian from an aligned long: bit @bit of the byte
	 * is bit (byte's offset in the long) * 8 + @bit, whatever the CPU.
	 */
	set_bit_le(((u8 *)kaddr - (u8 *)word) * BITS_PER_BYTE + bit, word);
}

/* Set bit @n of @log: the page of IOVA n * SNIC_LOG_PAGE_SIZE. */
static void snic_log_set(const struct snic_model_log *log, u64 n)
{
	u64 byte = log->offset + n / BITS_PER_BYTE;
	u64 bus = log->pages[byte >> SNIC_LOG_PAGE_SHIFT] +
		  (byte & (SNIC_LOG_PAGE_SIZE - 1));
	unsigned int bit = n % BITS_PER_BYTE;

	/* The pages were memory at DIRTY_LOG_START: this cannot fail. */
	snic_model_bus_access(bus, 1, snic_log_set_actor, &bit);
}

/**
 * snic_model_log_write() - the NIC wrote [@iova, @iova + @len) of @asid
 * @fn: the function, with its iotlb_lock held
 * @asid: the address space
 * @iova: first IOVA written
 * @len: bytes, at least 1
 *
 * Sets the log bits of the pages, once the data is visible.
 */
void snic_model_log_write(struct snic_model_fn *fn, u16 asid, u64 iova,
			  u64 len)
{
	const struct snic_model_log *log = &fn->as[asid].log;
	struct snic_model *m = fn->m;
	u64 n = iova >> SNIC_LOG_PAGE_SHIFT;
	u64 last = (iova + len - 1) >> SNIC_LOG_PAGE_SHIFT;
	u32 drop;

	lockdep_assert_held(&fn->iotlb_lock);
	if (m && asid == 0 && READ_ONCE(m->trace_fn) == fn->id) {
		u64 p;

		/* The oracle must not miss a page: it may be told it did. */
		for (p = n; p <= last; p++)
			if (xa_err(xa_store(&m->trace, p, xa_mk_value(1),
					    GFP_ATOMIC)))
				m->trace_lost = true;
	}
	if (!log->pages)
		return;
	/* The data, then the bit. */
	smp_mb__before_atomic();
	drop = m ? READ_ONCE(m->log_drop) : 0;
	for (; n <= last && n < log->nbits; n++) {
		if (drop && !(n % drop))
			continue;
		snic_log_set(log, n);
	}
}

static void snic_log_free(struct snic_model_log *log)
{
	kvfree(log->pages);
	*log = (struct snic_model_log) {};
}

/* Install @log (or none) for @asid; the old one is in @log on return. */
static void snic_log_swap(struct snic_model_fn *fn, u16 asid,
			  struct snic_model_log *log)
{
	spin_lock(&fn->iotlb_lock);
	swap(fn->as[asid].log, *log);
	spin_unlock(&fn->iotlb_lock);
}

/* Read the page list at bus address @list: each entry a 4 KiB page. */
static u32 snic_log_read_list(u64 list, u32 npages, u64 *pages)
{
	struct snic_dma_buf buf = { .p = (u8 *)pages };
	u32 i;

	/* In place: each little-endian entry becomes a CPU-order u64. */
	if (snic_model_bus_access(list, (u64)npages * sizeof(__le64),
				  snic_dma_to_buf, &buf))
		return SNIC_ST_EINVAL;
	for (i = 0; i < npages; i++) {
		pages[i] = le64_to_cpu((__force __le64)pages[i]);
		if (!IS_ALIGNED(pages[i], SNIC_LOG_PAGE_SIZE) ||
		    !pfn_valid(PHYS_PFN(pages[i])))
			return SNIC_ST_EINVAL;
	}
	return SNIC_ST_OK;
}

/**
 * snic_model_log_start() - DIRTY_LOG_START
 * @fn: the function
 * @c: the command
 *
 * Return: a status code.
 */
u32 snic_model_log_start(struct snic_model_fn *fn,
			 const struct snic_cmd_log_start *c)
{
	struct snic_model_log log = {
		.offset = le32_to_cpu(c->offset),
		.nbits = le64_to_cpu(c->nbits),
		.npages = le32_to_cpu(c->npages),
	};
	u16 asid = le16_to_cpu(c->asid);
	u64 list = le64_to_cpu(c->list);
	u32 st;

	if (asid >= SNIC_MODEL_NAS || c->page_shift != SNIC_LOG_PAGE_SHIFT ||
	    log.offset >= SNIC_LOG_PAGE_SIZE || !log.nbits ||
	    log.nbits > SNIC_LOG_MAX_NBITS || !IS_ALIGNED(list, sizeof(u64)) ||
	    !log.npages || log.npages > SNIC_LOG_MAX_PAGES ||
	    (u64)log.npages * SNIC_LOG_PAGE_SIZE <
	    log.offset + DIV_ROUND_UP(log.nbits, BITS_PER_BYTE))
		return SNIC_ST_EINVAL;
	log.pages = kvmalloc_array(log.npages, sizeof(*log.pages), GFP_KERNEL);
	if (!log.pages)
		return SNIC_ST_ENOSPC;
	st = snic_log_read_list(list, log.npages, log.pages);
	if (st == SNIC_ST_OK)
		snic_log_swap(fn, asid, &log);
	snic_log_free(&log);
	return st;
}

/**
 * snic_model_log_stop() - DIRTY_LOG_STOP
 * @fn: the function
 * @asid: the address space
 *
 * Return: a status code.
 */
u32 snic_model_log_stop(struct snic_model_fn *fn, u16 asid)
{
	struct snic_model_log log = {};

	if (asid >= SNIC_MODEL_NAS)
		return SNIC_ST_EINVAL;
	snic_log_swap(fn, asid, &log);
	if (!log.pages)
		return SNIC_ST_ENOENT;
	snic_log_free(&log);
	return SNIC_ST_OK;
}

/**
 * snic_model_log_sync() - DIRTY_LOG_SYNC
 * @fn: the function
 * @asid: the address space
 *
 * Writes set their bits under the lock taken here: once it is, every
 * write made before has its bit.
 *
 * Return: a status code.
 */
u32 snic_model_log_sync(struct snic_model_fn *fn, u16 asid)
{
	bool logging;

	if (asid >= SNIC_MODEL_NAS)
		return SNIC_ST_EINVAL;
	spin_lock(&fn->iotlb_lock);
	logging = fn->as[asid].log.pages;
	spin_unlock(&fn->iotlb_lock);
	return logging ? SNIC_ST_OK : SNIC_ST_ENOENT;
}

/**
 * snic_model_log_stop_all() - stop the logs of every address space
 * @fn: the function (reset or destroyed)
 */
void snic_model_log_stop_all(struct snic_model_fn *fn)
{
	unsigned int i;

	/* Not a function's lock if it was never created: nothing to stop. */
	for (i = 0; i < SNIC_MODEL_NAS; i++)
		if (fn->as[i].log.pages)
			snic_model_log_stop(fn, i);
}
