// SPDX-License-Identifier: GPL-2.0
/*
 * Software model: the NIC's on-chip IOTLB, one per address space of each
 * function, and the commands that fill it (IOTLB_MAP, IOTLB_UNMAP,
 * IOTLB_RESET).  An address space starts empty: the function reaches no
 * memory until the driver maps some, or puts the address space in
 * passthrough (IOVA = bus address) with IOTLB_RESET, which lasts until its
 * first mapping.
 */
#include <linux/overflow.h>
#include <linux/vhost_iotlb.h>

#include "snic_model.h"

/**
 * snic_model_as_init() - give a new function its address spaces
 * @m: the NIC
 * @fn: the function
 *
 * Return: SNIC_ST_OK or SNIC_ST_ENOSPC.
 */
u32 snic_model_as_init(struct snic_model *m, struct snic_model_fn *fn)
{
	unsigned int i;

	for (i = 0; i < SNIC_MODEL_NAS; i++) {
		/* A vhost IOTLB of limit 0 takes no mapping at all. */
		fn->as[i].iotlb = vhost_iotlb_alloc(m->iotlb_max ?: UINT_MAX, 0);
		if (!fn->as[i].iotlb) {
			snic_model_as_fini(fn);
			return SNIC_ST_ENOSPC;
		}
		fn->as[i].passthrough = false;
	}
	return SNIC_ST_OK;
}

/**
 * snic_model_as_fini() - drop a function's address spaces
 * @fn: the function
 */
void snic_model_as_fini(struct snic_model_fn *fn)
{
	unsigned int i;

	for (i = 0; i < SNIC_MODEL_NAS; i++) {
		if (fn->as[i].iotlb)
			vhost_iotlb_free(fn->as[i].iotlb);
		fn->as[i].iotlb = NULL;
	}
}

/* [iova, iova + size) as an inclusive range, if it neither is empty nor wraps. */
static bool snic_range(u64 iova, u64 size, u64 *last)
{
	return size && !check_add_overflow(iova, size - 1, last);
}

static bool snic_entry_ok(const struct snic_iotlb_entry *e, u64 *first, u64 *last)
{
	u64 addr_last;
	u32 perm = le32_to_cpu(e->perm);

	*first = le64_to_cpu(e->iova);
	return snic_range(*first, le64_to_cpu(e->size), last) &&
	       snic_range(le64_to_cpu(e->addr), le64_to_cpu(e->size), &addr_last) &&
	       perm && !(perm & ~(SNIC_IOTLB_PERM_READ | SNIC_IOTLB_PERM_WRITE));
}

static u32 snic_model_iotlb_map(struct snic_model_fn *fn, struct snic_model_as *as,
				const struct snic_cmd_iotlb_map *c, u32 len)
{
	unsigned int n = le16_to_cpu(c->count), i, j;
	struct vhost_iotlb *tlb = as->iotlb;
	u64 first, last, f2, l2;

	if (!n || n > SNIC_IOTLB_MAP_MAX || len < struct_size(c, entries, n))
		return SNIC_ST_EINVAL;
	for (i = 0; i < n; i++) {
		if (!snic_entry_ok(&c->entries[i], &first, &last))
			return SNIC_ST_EINVAL;
		if (!as->passthrough && vhost_iotlb_itree_first(tlb, first, last))
			return SNIC_ST_EINVAL;
		for (j = 0; j < i; j++) {
			snic_entry_ok(&c->entries[j], &f2, &l2);
			if (first <= l2 && f2 <= last)
				return SNIC_ST_EINVAL;
		}
	}
	if (tlb->limit && (as->passthrough ? 0 : tlb->nmaps) + n > tlb->limit)
		return SNIC_ST_ENOSPC;

	spin_lock(&fn->iotlb_lock);
	if (as->passthrough) {
		vhost_iotlb_reset(tlb);
		as->passthrough = false;
	}
	for (i = 0; i < n; i++) {
		const struct snic_iotlb_entry *e = &c->entries[i];

		snic_entry_ok(e, &first, &last);
		if (vhost_iotlb_add_range(tlb, first, last, le64_to_cpu(e->addr),
					  le32_to_cpu(e->perm)))
			goto undo;
	}
	spin_unlock(&fn->iotlb_lock);
	return SNIC_ST_OK;

undo:
	/* All or nothing: take back what this command added. */
	while (i--) {
		snic_entry_ok(&c->entries[i], &first, &last);
		vhost_iotlb_del_range(tlb, first, last);
	}
	spin_unlock(&fn->iotlb_lock);
	return SNIC_ST_ENOSPC;
}

/**
 * snic_model_iotlb_cmd() - execute IOTLB_MAP, IOTLB_UNMAP or IOTLB_RESET
 * @m: the NIC
 * @fn: the target function
 * @op: the opcode
 * @len: length of the command
 *
 * Return: the status code.
 */
u32 snic_model_iotlb_cmd(struct snic_model *m, struct snic_model_fn *fn,
			 u16 op, u32 len)
{
	const struct snic_cmd_iotlb_range *r = (void *)m->cmd;
	const struct snic_cmd_iotlb_map *c = (void *)m->cmd;
	struct snic_model_as *as;
	u16 asid;
	u64 last;

	/* asid sits at the same offset in all three commands. */
	if (len < sizeof(*c))
		return SNIC_ST_EINVAL;
	asid = le16_to_cpu(c->asid);
	if (asid >= SNIC_MODEL_NAS)
		return SNIC_ST_EINVAL;
	as = &fn->as[asid];

	switch (op) {
	case SNIC_OP_IOTLB_MAP:
		return snic_model_iotlb_map(fn, as, c, len);
	case SNIC_OP_IOTLB_UNMAP:
		if (len < sizeof(*r) ||
		    !snic_range(le64_to_cpu(r->iova), le64_to_cpu(r->size), &last))
			return SNIC_ST_EINVAL;
		spin_lock(&fn->iotlb_lock);
		if (!as->passthrough)
			vhost_iotlb_del_range(as->iotlb, le64_to_cpu(r->iova), last);
		spin_unlock(&fn->iotlb_lock);
		return SNIC_ST_OK;
	case SNIC_OP_IOTLB_RESET:
		if (len < sizeof(*r) ||
		    (le32_to_cpu(r->flags) & ~SNIC_IOTLB_RESET_PASSTHROUGH))
			return SNIC_ST_EINVAL;
		spin_lock(&fn->iotlb_lock);
		vhost_iotlb_reset(as->iotlb);
		as->passthrough = le32_to_cpu(r->flags) & SNIC_IOTLB_RESET_PASSTHROUGH;
		spin_unlock(&fn->iotlb_lock);
		return SNIC_ST_OK;
	}
	return SNIC_ST_EOPNOTSUPP;
}

/**
 * snic_model_translate() - where the NIC's DMA to an IOVA range goes
 * @fn: the function
 * @asid: its address space
 * @iova: first IOVA
 * @len: bytes, at least 1
 * @perm: SNIC_IOTLB_PERM_* the access needs
 * @addr: the bus address of @iova
 *
 * The whole range must lie in one mapping that grants @perm.
 *
 * Return: true if the NIC may make the access.
 */
bool snic_model_translate(struct snic_model_fn *fn, u16 asid, u64 iova,
			  u64 len, u32 perm, u64 *addr)
{
	const struct vhost_iotlb_map *map;
	struct snic_model_as *as;
	u64 last;
	bool ok;

	if (asid >= SNIC_MODEL_NAS || !snic_range(iova, len, &last))
		return false;
	as = &fn->as[asid];
	spin_lock(&fn->iotlb_lock);
	if (as->passthrough) {
		*addr = iova;
		ok = true;
		goto out;
	}
	map = vhost_iotlb_itree_first(as->iotlb, iova, last);
	ok = map && map->start <= iova && map->last >= last &&
	     (map->perm & perm) == perm;
	if (ok)
		*addr = map->addr + (iova - map->start);
out:
	spin_unlock(&fn->iotlb_lock);
	return ok;
}
EXPORT_SYMBOL_IF_KUNIT(snic_model_translate);
