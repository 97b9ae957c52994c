// SPDX-License-Identifier: GPL-2.0
/*
 * The driver's side of the vendor interface: it reads the identity and
 * capability registers, and issues admin commands through the mailbox
 * (Documentation/vendor-interface.rst), one small function per command.
 */
#include <linux/iopoll.h>
#include <linux/log2.h>
#include <linux/string.h>
#include <linux/unaligned.h>

#include "snic.h"
#include "snic_hw.h"

#define SNIC_CMD_TIMEOUT_US	1000000
/* FN_RESET, FN_SUSPEND and FN_DESTROY wait for the queues to stop. */
#define SNIC_CMD_LONG_TIMEOUT_US	5000000

static u32 rd(struct snic_hw *hw, u32 off)
{
	return hw->bus->ops->read32(hw->bus, off);
}

static void wr(struct snic_hw *hw, u32 off, u32 val)
{
	hw->bus->ops->write32(hw->bus, off, val);
}

/*
 * Largest queue size a device offers: the NIC's, rounded down to a power
 * of two, which split rings need (virtio 1.3, 2.7), at most 32768.
 */
static u16 snic_hw_vq_num_max(struct snic_hw *hw)
{
	u32 reg = rd(hw, SNIC_REG_VQ_SIZE_MAX);
	u16 max;

	if (!reg)
		return 0;
	max = rounddown_pow_of_two(min(reg, 32768U));
	if (max != reg)
		dev_warn(hw->dev, "VQ_SIZE_MAX %u is not a power of two up to 32768: queues of at most %u entries\n",
			 reg, max);
	return max;
}

/*
 * Address spaces a device uses: the NIC's, at most SNIC_NAS (one for the
 * data queues, one for the CVQ).
 */
static u16 snic_hw_nas(struct snic_hw *hw)
{
	u32 reg = rd(hw, SNIC_REG_NUM_AS);

	if (reg >= SNIC_NAS)
		return SNIC_NAS;
	dev_warn(hw->dev, "NIC has %u address space(s) per function: the CVQ shares the data queues' address space and cannot be isolated from them\n",
		 reg);
	return 1;
}

/**
 * snic_hw_init() - identify a NIC and read its capabilities
 * @hw: to fill in
 * @bus: how to reach the NIC
 * @dev: the NIC's device, for messages
 *
 * Return: 0, or -ENODEV if this is no NIC this driver can drive.
 */
int snic_hw_init(struct snic_hw *hw, struct snic_bus *bus, struct device *dev)
{
	u32 magic, version, mtu;

	memset(hw, 0, sizeof(*hw));
	hw->bus = bus;
	hw->dev = dev;
	mutex_init(&hw->lock);

	magic = rd(hw, SNIC_REG_MAGIC);
	version = rd(hw, SNIC_REG_VERSION);
	if (magic != SNIC_MAGIC || version >> 16 != SNIC_VERSION_MAJOR) {
		dev_err(dev, "not a snic NIC of interface v%u (magic 0x%08x, version 0x%08x)\n",
			SNIC_VERSION_MAJOR, magic, version);
		goto err;
	}
	if (!(rd(hw, SNIC_REG_DEV_STATUS) & SNIC_DEV_STATUS_READY)) {
		dev_err(dev, "NIC is not ready\n");
		goto err;
	}
	mtu = rd(hw, SNIC_REG_MTU_RANGE);
	hw->devcaps = rd(hw, SNIC_REG_CAPS);
	hw->caps = (struct snic_caps) {
		.features = (u64)rd(hw, SNIC_REG_FEATURES_HI) << 32 |
			    rd(hw, SNIC_REG_FEATURES_LO),
		.max_vq_pairs = min(rd(hw, SNIC_REG_MAX_VQ_PAIRS), U16_MAX),
		.max_functions = min(rd(hw, SNIC_REG_MAX_FUNCTIONS), U16_MAX),
		.vq_num_max = snic_hw_vq_num_max(hw),
		.min_mtu = mtu & 0xffff,
		.max_mtu = mtu >> 16,
	};
	/* A feature the NIC offers but has no capability for is not offered. */
	if (!(hw->devcaps & SNIC_CAP_PACKED))
		hw->caps.features &= ~BIT_ULL(VIRTIO_F_RING_PACKED);
	hw->nas = snic_hw_nas(hw);
	hw->iotlb_max = rd(hw, SNIC_REG_IOTLB_MAX);
	hw->seq = rd(hw, SNIC_REG_ADMIN_DONE);
	return 0;

err:
	mutex_destroy(&hw->lock);
	return -ENODEV;
}
EXPORT_SYMBOL_IF_KUNIT(snic_hw_init);

/**
 * snic_hw_fini() - release what snic_hw_init() set up
 * @hw: the NIC
 */
void snic_hw_fini(struct snic_hw *hw)
{
	mutex_destroy(&hw->lock);
}
EXPORT_SYMBOL_IF_KUNIT(snic_hw_fini);

/**
 * snic_hw_gone() - whether the NIC vanished (surprise removal)
 * @hw: the NIC
 *
 * A vanished NIC reads as all ones; MAGIC never does otherwise.  Once
 * seen gone, it stays so: no command is issued to it any more.
 *
 * Return: true if it is gone.
 */
bool snic_hw_gone(struct snic_hw *hw)
{
	if (READ_ONCE(hw->gone))
		return true;
	if (rd(hw, SNIC_REG_MAGIC) != SNIC_BUS_GONE)
		return false;
	if (!hw->gone)
		dev_err(hw->dev, "the NIC is gone (surprise removal): its devices fail from now on\n");
	WRITE_ONCE(hw->gone, true);
	return true;
}
EXPORT_SYMBOL_IF_KUNIT(snic_hw_gone);

static int snic_hw_errno(u32 status)
{
	static const int errnos[] = {
		[SNIC_ST_OK] = 0,
		[SNIC_ST_EINVAL] = -EINVAL,
		[SNIC_ST_ENOENT] = -ENOENT,
		[SNIC_ST_EBUSY] = -EBUSY,
		[SNIC_ST_ENOSPC] = -ENOSPC,
		[SNIC_ST_EPERM] = -EPERM,
		[SNIC_ST_EOPNOTSUPP] = -EOPNOTSUPP,
		[SNIC_ST_EIO] = -EIO,
		[SNIC_ST_EEXIST] = -EEXIST,
	};

	return status < ARRAY_SIZE(errnos) ? errnos[status] : -EIO;
}

/*
 * Issue one command: @cmd starts with a &struct snic_cmd_hdr whose
 * opcode is set; the length and function are filled in here.  Copies up
 * to @resp_len bytes of the response into @resp.
 */
static int snic_hw_exec(struct snic_hw *hw, u16 fn, void *cmd, size_t len,
			void *resp, size_t resp_len)
{
	struct snic_cmd_hdr *hdr = cmd;
	u32 done, got;
	u64 timeout;
	size_t i;
	int err;

	if (WARN_ON_ONCE(len > SNIC_ADMIN_BUF_SIZE || len < sizeof(*hdr)))
		return -EINVAL;
	if (resp_len)
		memset(resp, 0, resp_len);
	hdr->function = cpu_to_le16(fn);
	hdr->length = cpu_to_le32(len);

	mutex_lock(&hw->lock);
	if (hw->failed || hw->gone) {
		err = hw->gone ? -ENODEV : -EIO;
		goto out;
	}
	/* The mailbox takes the byte stream as little-endian words. */
	for (i = 0; i < len; i += 4) {
		u8 bytes[4] = {};

		memcpy(bytes, cmd + i, min_t(size_t, 4, len - i));
		wr(hw, SNIC_REG_ADMIN_CMD + i, get_unaligned_le32(bytes));
	}
	hw->seq++;
	wr(hw, SNIC_REG_ADMIN_DOORBELL, hw->seq);
	switch (le16_to_cpu(hdr->opcode)) {
	case SNIC_OP_FN_RESET:
	case SNIC_OP_FN_SUSPEND:
	case SNIC_OP_FN_DESTROY:
		timeout = SNIC_CMD_LONG_TIMEOUT_US;
		break;
	default:
		timeout = SNIC_CMD_TIMEOUT_US;
	}
	err = read_poll_timeout(rd, done,
				done == hw->seq || done == SNIC_BUS_GONE, 10,
				timeout, false, hw, SNIC_REG_ADMIN_DONE);
	if (done == SNIC_BUS_GONE && snic_hw_gone(hw)) {
		err = -ENODEV;
		goto out;
	}
	if (err) {
		dev_err(hw->dev, "admin command 0x%04x timed out: NIC marked failed\n",
			le16_to_cpu(hdr->opcode));
		hw->failed = true;
		goto out;
	}
	err = snic_hw_errno(rd(hw, SNIC_REG_ADMIN_STATUS));
	/* A failed command may answer too (FN_STATE_*): RESP_LEN says. */
	if (!resp_len)
		goto out;
	got = min_t(size_t, rd(hw, SNIC_REG_ADMIN_RESP_LEN), resp_len);
	for (i = 0; i < got; i += 4) {
		u8 bytes[4];

		put_unaligned_le32(rd(hw, SNIC_REG_ADMIN_RESP + i), bytes);
		memcpy(resp + i, bytes, min_t(size_t, 4, got - i));
	}
out:
	mutex_unlock(&hw->lock);
	return err;
}

#define HDR(op)	{ .opcode = cpu_to_le16(SNIC_OP_##op) }

/* A command with no response. */
static int snic_hw_cmd(struct snic_hw *hw, u16 fn, void *cmd, size_t len)
{
	return snic_hw_exec(hw, fn, cmd, len, NULL, 0);
}

/* A command that is its header alone. */
static int snic_hw_cmd_hdr(struct snic_hw *hw, u16 fn, u16 op, void *resp,
			   size_t resp_len)
{
	struct snic_cmd_hdr c = { .opcode = cpu_to_le16(op) };

	return snic_hw_exec(hw, fn, &c, sizeof(c), resp, resp_len);
}

/* A command with one 32-bit argument. */
static int snic_hw_cmd_u32(struct snic_hw *hw, u16 fn, u16 op, u32 value)
{
	struct snic_cmd_u32 c = {
		.hdr = { .opcode = cpu_to_le16(op) },
		.value = cpu_to_le32(value),
	};

	return snic_hw_cmd(hw, fn, &c, sizeof(c));
}

/* A command naming one queue. */
static int snic_hw_cmd_qid(struct snic_hw *hw, u16 fn, u16 op, u16 qid,
			   void *resp, size_t resp_len)
{
	struct snic_cmd_qid c = {
		.hdr = { .opcode = cpu_to_le16(op) },
		.qid = cpu_to_le16(qid),
	};

	return snic_hw_exec(hw, fn, &c, sizeof(c), resp, resp_len);
}

/**
 * snic_hw_fn_create() - FN_CREATE
 * @hw: the NIC
 * @fn: function number
 * @p: its attributes
 * @config_vector: vector for its config interrupts
 *
 * Return: 0 or a negative errno: -EEXIST when the NIC cannot give the
 * function its uplink port because a netdev has the port's name.
 */
int snic_hw_fn_create(struct snic_hw *hw, u16 fn, const struct snic_dev_params *p,
		      u16 config_vector)
{
	struct snic_cmd_fn_create c = {
		.hdr = HDR(FN_CREATE),
		.features = cpu_to_le64(p->features),
		.mtu = cpu_to_le16(p->mtu),
		.max_vq_pairs = cpu_to_le16(p->max_vq_pairs),
		.config_vector = cpu_to_le16(config_vector),
	};

	memcpy(c.mac, p->mac, sizeof(c.mac));
	return snic_hw_exec(hw, fn, &c, sizeof(c), NULL, 0);
}
EXPORT_SYMBOL_IF_KUNIT(snic_hw_fn_create);

/**
 * snic_hw_fn_destroy() - FN_DESTROY
 * @hw: the NIC
 * @fn: function number
 *
 * Return: 0 or a negative errno.
 */
int snic_hw_fn_destroy(struct snic_hw *hw, u16 fn)
{
	struct snic_cmd_hdr c = HDR(FN_DESTROY);

	return snic_hw_exec(hw, fn, &c, sizeof(c), NULL, 0);
}
EXPORT_SYMBOL_IF_KUNIT(snic_hw_fn_destroy);

/**
 * snic_hw_fn_suspend() - FN_SUSPEND
 * @hw: the NIC
 * @fn: function number
 *
 * When it returns, the function makes no DMA and raises no interrupt,
 * and every buffer it took is used.
 *
 * Return: 0 or a negative errno; -EOPNOTSUPP without CAP_SUSPEND.
 */
int snic_hw_fn_suspend(struct snic_hw *hw, u16 fn)
{
	if (!(hw->devcaps & SNIC_CAP_SUSPEND))
		return -EOPNOTSUPP;
	return snic_hw_cmd_hdr(hw, fn, SNIC_OP_FN_SUSPEND, NULL, 0);
}
EXPORT_SYMBOL_IF_KUNIT(snic_hw_fn_suspend);

/**
 * snic_hw_fn_resume() - FN_RESUME
 * @hw: the NIC
 * @fn: function number
 *
 * Return: 0 or a negative errno; -EOPNOTSUPP without CAP_SUSPEND.
 */
int snic_hw_fn_resume(struct snic_hw *hw, u16 fn)
{
	if (!(hw->devcaps & SNIC_CAP_SUSPEND))
		return -EOPNOTSUPP;
	return snic_hw_cmd_hdr(hw, fn, SNIC_OP_FN_RESUME, NULL, 0);
}
EXPORT_SYMBOL_IF_KUNIT(snic_hw_fn_resume);

/**
 * snic_hw_fn_set_features() - FN_SET_FEATURES
 * @hw: the NIC
 * @fn: function number
 * @features: the driver features
 *
 * Return: 0 or a negative errno.
 */
int snic_hw_fn_set_features(struct snic_hw *hw, u16 fn, u64 features)
{
	struct snic_cmd_u64 c = {
		.hdr = HDR(FN_SET_FEATURES),
		.value = cpu_to_le64(features),
	};

	return snic_hw_cmd(hw, fn, &c, sizeof(c));
}
EXPORT_SYMBOL_IF_KUNIT(snic_hw_fn_set_features);

/**
 * snic_hw_fn_set_status() - FN_SET_STATUS
 * @hw: the NIC
 * @fn: function number
 * @status: virtio device status
 *
 * Return: 0 or a negative errno.
 */
int snic_hw_fn_set_status(struct snic_hw *hw, u16 fn, u8 status)
{
	return snic_hw_cmd_u32(hw, fn, SNIC_OP_FN_SET_STATUS, status);
}
EXPORT_SYMBOL_IF_KUNIT(snic_hw_fn_set_status);

/**
 * snic_hw_fn_query() - FN_QUERY
 * @hw: the NIC
 * @fn: function number
 * @st: what the NIC reports
 *
 * Return: 0 or a negative errno.
 */
int snic_hw_fn_query(struct snic_hw *hw, u16 fn, struct snic_hw_fn_state *st)
{
	struct snic_resp_fn_query r;
	int err;

	err = snic_hw_cmd_hdr(hw, fn, SNIC_OP_FN_QUERY, &r, sizeof(r));
	if (err)
		return err;
	*st = (struct snic_hw_fn_state) {
		.driver_features = le64_to_cpu(r.driver_features),
		.status = r.status,
		.generation = le16_to_cpu(r.config_generation),
	};
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(snic_hw_fn_query);

/**
 * snic_hw_fn_reset() - FN_RESET
 * @hw: the NIC
 * @fn: function number
 * @flags: SNIC_FN_RESET_*
 *
 * Return: 0 or a negative errno.
 */
int snic_hw_fn_reset(struct snic_hw *hw, u16 fn, u32 flags)
{
	return snic_hw_cmd_u32(hw, fn, SNIC_OP_FN_RESET, flags);
}
EXPORT_SYMBOL_IF_KUNIT(snic_hw_fn_reset);

/**
 * snic_hw_config_read() - CONFIG_READ
 * @hw: the NIC
 * @fn: function number
 * @offset: first byte
 * @buf: where the bytes go
 * @len: bytes, at most SNIC_CONFIG_MAX_LEN
 *
 * Return: 0 or a negative errno.
 */
int snic_hw_config_read(struct snic_hw *hw, u16 fn, u16 offset, void *buf,
			u16 len)
{
	struct snic_cmd_config c = {
		.hdr = HDR(CONFIG_READ),
		.offset = cpu_to_le16(offset),
		.len = cpu_to_le16(len),
	};

	return snic_hw_exec(hw, fn, &c, sizeof(c), buf, len);
}
EXPORT_SYMBOL_IF_KUNIT(snic_hw_config_read);

/**
 * snic_hw_config_write() - CONFIG_WRITE
 * @hw: the NIC
 * @fn: function number
 * @offset: first byte
 * @buf: the bytes
 * @len: bytes, at most SNIC_CONFIG_MAX_LEN
 *
 * Return: 0 or a negative errno.
 */
int snic_hw_config_write(struct snic_hw *hw, u16 fn, u16 offset,
			 const void *buf, u16 len)
{
	struct {
		struct snic_cmd_config c;
		u8 data[SNIC_CONFIG_MAX_LEN];
	} cmd = {
		.c = {
			.hdr = HDR(CONFIG_WRITE),
			.offset = cpu_to_le16(offset),
			.len = cpu_to_le16(len),
		},
	};

	if (len > SNIC_CONFIG_MAX_LEN)
		return -EINVAL;
	memcpy(cmd.data, buf, len);
	return snic_hw_cmd(hw, fn, &cmd, sizeof(cmd.c) + len);
}
EXPORT_SYMBOL_IF_KUNIT(snic_hw_config_write);

static struct snic_vq_state snic_hw_state(const struct snic_hw_vq_pos *pos)
{
	return (struct snic_vq_state) {
		.avail_idx = cpu_to_le16(pos->avail_idx),
		.used_idx = cpu_to_le16(pos->used_idx),
		.avail_wrap = pos->avail_wrap,
		.used_wrap = pos->used_wrap,
	};
}

/**
 * snic_hw_vq_create() - VQ_CREATE
 * @hw: the NIC
 * @fn: function number
 * @qid: queue index
 * @vq: its registers
 *
 * Return: 0 or a negative errno.
 */
int snic_hw_vq_create(struct snic_hw *hw, u16 fn, u16 qid,
		      const struct snic_hw_vq *vq)
{
	struct snic_cmd_vq_create c = {
		.hdr = HDR(VQ_CREATE),
		.qid = cpu_to_le16(qid),
		.size = cpu_to_le16(vq->size),
		.vector = cpu_to_le16(vq->vector),
		.flags = cpu_to_le16((vq->ready ? SNIC_VQ_F_READY : 0) |
				     (vq->packed ? SNIC_VQ_F_PACKED : 0)),
		.desc = cpu_to_le64(vq->desc),
		.driver = cpu_to_le64(vq->driver),
		.device = cpu_to_le64(vq->device),
		.state = snic_hw_state(&vq->pos),
	};

	return snic_hw_cmd(hw, fn, &c, sizeof(c));
}
EXPORT_SYMBOL_IF_KUNIT(snic_hw_vq_create);

/**
 * snic_hw_vq_set_ready() - VQ_MODIFY of readiness
 * @hw: the NIC
 * @fn: function number
 * @qid: queue index
 * @ready: start or stop the queue
 *
 * Return: 0 or a negative errno.
 */
int snic_hw_vq_set_ready(struct snic_hw *hw, u16 fn, u16 qid, bool ready)
{
	struct snic_cmd_vq_modify c = {
		.hdr = HDR(VQ_MODIFY),
		.qid = cpu_to_le16(qid),
		.mask = cpu_to_le16(SNIC_VQ_MODIFY_READY),
		.ready = cpu_to_le16(ready),
	};

	return snic_hw_cmd(hw, fn, &c, sizeof(c));
}
EXPORT_SYMBOL_IF_KUNIT(snic_hw_vq_set_ready);

/**
 * snic_hw_vq_set_state() - VQ_MODIFY of a ring's position
 * @hw: the NIC
 * @fn: function number
 * @qid: queue index
 * @pos: the position
 *
 * Return: 0 or a negative errno.
 */
int snic_hw_vq_set_state(struct snic_hw *hw, u16 fn, u16 qid,
			 const struct snic_hw_vq_pos *pos)
{
	struct snic_cmd_vq_modify c = {
		.hdr = HDR(VQ_MODIFY),
		.qid = cpu_to_le16(qid),
		.mask = cpu_to_le16(SNIC_VQ_MODIFY_STATE),
		.state = snic_hw_state(pos),
	};

	return snic_hw_cmd(hw, fn, &c, sizeof(c));
}
EXPORT_SYMBOL_IF_KUNIT(snic_hw_vq_set_state);

/**
 * snic_hw_vq_query() - VQ_QUERY
 * @hw: the NIC
 * @fn: function number
 * @qid: queue index
 * @pos: the ring position
 * @flags: SNIC_VQ_F_READY (the queue runs), SNIC_VQ_F_ERROR (it stopped
 *	on bad input)
 *
 * Return: 0 or a negative errno.
 */
int snic_hw_vq_query(struct snic_hw *hw, u16 fn, u16 qid,
		     struct snic_hw_vq_pos *pos, u16 *flags)
{
	struct snic_resp_vq_query r;
	int err;

	err = snic_hw_cmd_qid(hw, fn, SNIC_OP_VQ_QUERY, qid, &r, sizeof(r));
	if (err)
		return err;
	*pos = (struct snic_hw_vq_pos) {
		.avail_idx = le16_to_cpu(r.state.avail_idx),
		.used_idx = le16_to_cpu(r.state.used_idx),
		.avail_wrap = r.state.avail_wrap & 1,
		.used_wrap = r.state.used_wrap & 1,
	};
	*flags = le16_to_cpu(r.flags);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(snic_hw_vq_query);

/**
 * snic_hw_vq_stats() - VQ_STATS
 * @hw: the NIC
 * @fn: function number
 * @qid: queue index
 * @st: the queue's counters
 *
 * Return: 0 or a negative errno.
 */
int snic_hw_vq_stats(struct snic_hw *hw, u16 fn, u16 qid,
		     struct snic_hw_vq_stats *st)
{
	struct snic_resp_vq_stats r;
	int err;

	if (!(hw->devcaps & SNIC_CAP_STATS))
		return -EOPNOTSUPP;
	err = snic_hw_cmd_qid(hw, fn, SNIC_OP_VQ_STATS, qid, &r, sizeof(r));
	if (err)
		return err;
	*st = (struct snic_hw_vq_stats) {
		.received = le64_to_cpu(r.received),
		.completed = le64_to_cpu(r.completed),
		.errors = le64_to_cpu(r.errors),
	};
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(snic_hw_vq_stats);

/**
 * snic_hw_vq_destroy() - VQ_DESTROY
 * @hw: the NIC
 * @fn: function number
 * @qid: queue index
 *
 * Return: 0 or a negative errno.
 */
int snic_hw_vq_destroy(struct snic_hw *hw, u16 fn, u16 qid)
{
	return snic_hw_cmd_qid(hw, fn, SNIC_OP_VQ_DESTROY, qid, NULL, 0);
}
EXPORT_SYMBOL_IF_KUNIT(snic_hw_vq_destroy);

/**
 * snic_hw_group_set_asid() - GROUP_SET_ASID
 * @hw: the NIC
 * @fn: function number
 * @group: virtqueue group
 * @asid: address space
 *
 * Return: 0 or a negative errno.
 */
int snic_hw_group_set_asid(struct snic_hw *hw, u16 fn, u16 group, u16 asid)
{
	struct snic_cmd_group_asid c = {
		.hdr = HDR(GROUP_SET_ASID),
		.group = cpu_to_le16(group),
		.asid = cpu_to_le16(asid),
	};

	return snic_hw_cmd(hw, fn, &c, sizeof(c));
}
EXPORT_SYMBOL_IF_KUNIT(snic_hw_group_set_asid);

/**
 * snic_hw_iotlb_map() - IOTLB_MAP of one mapping
 * @hw: the NIC
 * @fn: function number
 * @asid: address space
 * @iova: first IOVA
 * @size: bytes
 * @addr: bus address of @iova
 * @perm: SNIC_IOTLB_PERM_*
 *
 * Return: 0 or a negative errno.
 */
int snic_hw_iotlb_map(struct snic_hw *hw, u16 fn, u16 asid, u64 iova,
		      u64 size, u64 addr, u32 perm)
{
	struct {
		struct snic_cmd_iotlb_map c;
		struct snic_iotlb_entry e;
	} cmd = {
		.c = {
			.hdr = HDR(IOTLB_MAP),
			.asid = cpu_to_le16(asid),
			.count = cpu_to_le16(1),
		},
		.e = {
			.iova = cpu_to_le64(iova),
			.size = cpu_to_le64(size),
			.addr = cpu_to_le64(addr),
			.perm = cpu_to_le32(perm),
		},
	};

	return snic_hw_cmd(hw, fn, &cmd, sizeof(cmd));
}
EXPORT_SYMBOL_IF_KUNIT(snic_hw_iotlb_map);

/**
 * snic_hw_iotlb_unmap() - IOTLB_UNMAP
 * @hw: the NIC
 * @fn: function number
 * @asid: address space
 * @iova: first IOVA
 * @size: bytes
 *
 * Return: 0 or a negative errno.
 */
int snic_hw_iotlb_unmap(struct snic_hw *hw, u16 fn, u16 asid, u64 iova,
			u64 size)
{
	struct snic_cmd_iotlb_range c = {
		.hdr = HDR(IOTLB_UNMAP),
		.asid = cpu_to_le16(asid),
		.iova = cpu_to_le64(iova),
		.size = cpu_to_le64(size),
	};

	return snic_hw_cmd(hw, fn, &c, sizeof(c));
}
EXPORT_SYMBOL_IF_KUNIT(snic_hw_iotlb_unmap);

/**
 * snic_hw_iotlb_reset() - IOTLB_RESET
 * @hw: the NIC
 * @fn: function number
 * @asid: address space
 * @flags: SNIC_IOTLB_RESET_*
 *
 * Return: 0 or a negative errno.
 */
int snic_hw_iotlb_reset(struct snic_hw *hw, u16 fn, u16 asid, u32 flags)
{
	struct snic_cmd_iotlb_range c = {
		.hdr = HDR(IOTLB_RESET),
		.asid = cpu_to_le16(asid),
		.flags = cpu_to_le32(flags),
	};

	return snic_hw_cmd(hw, fn, &c, sizeof(c));
}
EXPORT_SYMBOL_IF_KUNIT(snic_hw_iotlb_reset);

/**
 * snic_hw_log_start() - DIRTY_LOG_START
 * @hw: the NIC
 * @fn: function number
 * @asid: address space to log
 * @list: bus address of the page list of the bitmap
 * @npages: entries in the page list
 * @offset: byte offset of bit 0 in the first page
 * @nbits: bits in the bitmap
 *
 * Return: 0 or a negative errno.
 */
int snic_hw_log_start(struct snic_hw *hw, u16 fn, u16 asid, dma_addr_t list,
		      u32 npages, u32 offset, u64 nbits)
{
	struct snic_cmd_log_start c = {
		.hdr = HDR(DIRTY_LOG_START),
		.asid = cpu_to_le16(asid),
		.page_shift = SNIC_LOG_PAGE_SHIFT,
		.offset = cpu_to_le32(offset),
		.nbits = cpu_to_le64(nbits),
		.list = cpu_to_le64(list),
		.npages = cpu_to_le32(npages),
	};

	return snic_hw_cmd(hw, fn, &c, sizeof(c));
}
EXPORT_SYMBOL_IF_KUNIT(snic_hw_log_start);

/**
 * snic_hw_state_save() - FN_STATE_SAVE
 * @hw: the NIC
 * @fn: function number, suspended
 * @addr: bus address of the buffer the blob goes into
 * @len: bytes of the buffer; 0 asks the size only
 * @size: the blob's size, also on -ENOSPC
 *
 * Return: 0, -ENOSPC when @len is smaller than @size, or a negative errno.
 */
int snic_hw_state_save(struct snic_hw *hw, u16 fn, dma_addr_t addr, u32 len,
		       u32 *size)
{
	struct snic_cmd_state c = {
		.hdr = HDR(FN_STATE_SAVE),
		.addr = cpu_to_le64(addr),
		.len = cpu_to_le32(len),
	};
	struct snic_resp_state_save r;
	int err;

	if (!(hw->devcaps & SNIC_CAP_STATE))
		return -EOPNOTSUPP;
	err = snic_hw_exec(hw, fn, &c, sizeof(c), &r, sizeof(r));
	*size = le32_to_cpu(r.size);
	return err;
}
EXPORT_SYMBOL_IF_KUNIT(snic_hw_state_save);

/**
 * snic_hw_state_restore() - FN_STATE_RESTORE
 * @hw: the NIC
 * @fn: function number, reset
 * @addr: bus address of the blob
 * @len: its bytes
 * @why: on -EINVAL, where the NIC found the blob wrong (reason 0 if it
 *	could not read it)
 *
 * Return: 0 or a negative errno.
 */
int snic_hw_state_restore(struct snic_hw *hw, u16 fn, dma_addr_t addr, u32 len,
			  struct snic_hw_state_err *why)
{
	struct snic_cmd_state c = {
		.hdr = HDR(FN_STATE_RESTORE),
		.addr = cpu_to_le64(addr),
		.len = cpu_to_le32(len),
	};
	struct snic_resp_state_err r;
	int err;

	if (!(hw->devcaps & SNIC_CAP_STATE))
		return -EOPNOTSUPP;
	err = snic_hw_exec(hw, fn, &c, sizeof(c), &r, sizeof(r));
	*why = (struct snic_hw_state_err) {
		.offset = le32_to_cpu(r.offset),
		.type = le16_to_cpu(r.type),
		.reason = err == -EINVAL ? le16_to_cpu(r.reason) : 0,
		.value = le32_to_cpu(r.value),
	};
	return err;
}
EXPORT_SYMBOL_IF_KUNIT(snic_hw_state_restore);

static int snic_hw_asid_cmd(struct snic_hw *hw, u16 fn, u16 op, u16 asid)
{
	struct snic_cmd_asid c = {
		.hdr = { .opcode = cpu_to_le16(op) },
		.asid = cpu_to_le16(asid),
	};

	return snic_hw_cmd(hw, fn, &c, sizeof(c));
}

/**
 * snic_hw_log_stop() - DIRTY_LOG_STOP
 * @hw: the NIC
 * @fn: function number
 * @asid: address space
 *
 * Return: 0 or a negative errno.
 */
int snic_hw_log_stop(struct snic_hw *hw, u16 fn, u16 asid)
{
	return snic_hw_asid_cmd(hw, fn, SNIC_OP_DIRTY_LOG_STOP, asid);
}
EXPORT_SYMBOL_IF_KUNIT(snic_hw_log_stop);

/**
 * snic_hw_log_sync() - DIRTY_LOG_SYNC
 * @hw: the NIC
 * @fn: function number
 * @asid: address space
 *
 * Return: 0 or a negative errno.
 */
int snic_hw_log_sync(struct snic_hw *hw, u16 fn, u16 asid)
{
	return snic_hw_asid_cmd(hw, fn, SNIC_OP_DIRTY_LOG_SYNC, asid);
}
EXPORT_SYMBOL_IF_KUNIT(snic_hw_log_sync);

/**
 * snic_hw_kick() - ring a queue's doorbell
 * @hw: the NIC
 * @fn: function number
 * @qid: queue index
 *
 * May be called in atomic context.
 */
void snic_hw_kick(struct snic_hw *hw, u16 fn, u16 qid)
{
	wr(hw, SNIC_REG_DOORBELLS + fn * SNIC_DOORBELL_STRIDE, qid);
}
EXPORT_SYMBOL_IF_KUNIT(snic_hw_kick);
