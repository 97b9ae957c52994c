// SPDX-License-Identifier: GPL-2.0
/*
 * The vdpa management device of a SmartNIC: `vdpa dev add` and
 * `vdpa dev del` land here.  Everything the user asks for is checked
 * before any resource is taken, and a refusal says what to change.
 */
#include <linux/bitops.h>
#include <linux/etherdevice.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <uapi/linux/vdpa.h>
#include <uapi/linux/virtio_ids.h>

#include "snic.h"

static const char *snic_feature_name(unsigned int bit)
{
	switch (bit) {
	case VIRTIO_NET_F_CSUM: return "CSUM";
	case VIRTIO_NET_F_GUEST_CSUM: return "GUEST_CSUM";
	case VIRTIO_NET_F_HOST_TSO4: return "HOST_TSO4";
	case VIRTIO_NET_F_HOST_TSO6: return "HOST_TSO6";
	case VIRTIO_NET_F_GUEST_TSO4: return "GUEST_TSO4";
	case VIRTIO_NET_F_GUEST_TSO6: return "GUEST_TSO6";
	case VIRTIO_NET_F_CTRL_VQ: return "CTRL_VQ";
	case VIRTIO_NET_F_CTRL_RX: return "CTRL_RX";
	case VIRTIO_NET_F_CTRL_VLAN: return "CTRL_VLAN";
	case VIRTIO_NET_F_CTRL_RX_EXTRA: return "CTRL_RX_EXTRA";
	case VIRTIO_NET_F_MQ: return "MQ";
	case VIRTIO_NET_F_CTRL_MAC_ADDR: return "CTRL_MAC_ADDR";
	case VIRTIO_NET_F_CTRL_GUEST_OFFLOADS: return "CTRL_GUEST_OFFLOADS";
	default: return "?";
	}
}

/**
 * snic_resolve_params() - turn a `vdpa dev add` request into attributes
 * @caps: what the NIC can do
 * @req: the attributes the user gave (mask says which)
 * @p: resolved attributes, with defaults for what the user left out
 * @why: on failure, what the user should change
 * @why_len: size of @why
 *
 * Return: 0, or -EINVAL / -EOPNOTSUPP with @why filled in.
 */
VISIBLE_IF_KUNIT int snic_resolve_params(const struct snic_caps *caps,
					 const struct vdpa_dev_set_config *req,
					 struct snic_dev_params *p,
					 char *why, size_t why_len)
{
	u64 mask = req->mask;
	u64 needs;
	int bit;

	memset(p, 0, sizeof(*p));
	/* Packed rings only when asked for: QEMU's shadow virtqueues refuse them. */
	p->features = caps->features & ~SNIC_OPTIN_FEATURES;
	p->mtu = SNIC_DEFAULT_MTU;
	p->max_vq_pairs = 1;

	if (mask & BIT_ULL(VDPA_ATTR_DEV_FEATURES)) {
		u64 extra = req->device_features & ~caps->features;

		if (extra) {
			snprintf(why, why_len,
				 "device_features 0x%llx has bits 0x%llx this NIC does not support; supported: 0x%llx",
				 req->device_features, extra, caps->features);
			return -EOPNOTSUPP;
		}
		if ((req->device_features & SNIC_MANDATORY_FEATURES) !=
		    SNIC_MANDATORY_FEATURES) {
			snprintf(why, why_len,
				 "device_features 0x%llx must include VERSION_1 (bit %d) and ACCESS_PLATFORM (bit %d)",
				 req->device_features, VIRTIO_F_VERSION_1,
				 VIRTIO_F_ACCESS_PLATFORM);
			return -EINVAL;
		}
		p->features = req->device_features;
	}

	needs = snic_feature_deps_missing(p->features, &bit);
	if (needs) {
		snprintf(why, why_len,
			 "device_features 0x%llx has %s (bit %d), which needs %s (bit %u) too",
			 p->features, snic_feature_name(bit), bit,
			 snic_feature_name(__ffs64(needs)), __ffs64(needs));
		return -EINVAL;
	}

	if (mask & BIT_ULL(VDPA_ATTR_DEV_NET_CFG_MACADDR)) {
		if (!(p->features & BIT_ULL(VIRTIO_NET_F_MAC))) {
			snprintf(why, why_len,
				 "mac needs feature MAC (bit %d) in device_features",
				 VIRTIO_NET_F_MAC);
			return -EINVAL;
		}
		if (is_zero_ether_addr(req->net.mac)) {
			snprintf(why, why_len,
				 "mac %pM is all zeroes: give a unicast address",
				 req->net.mac);
			return -EINVAL;
		}
		if (is_multicast_ether_addr(req->net.mac)) {
			snprintf(why, why_len,
				 "mac %pM is a multicast address: clear bit 0 of the first byte",
				 req->net.mac);
			return -EINVAL;
		}
		ether_addr_copy(p->mac, req->net.mac);
	} else if (p->features & BIT_ULL(VIRTIO_NET_F_MAC)) {
		eth_random_addr(p->mac);
	}

	if (mask & BIT_ULL(VDPA_ATTR_DEV_NET_CFG_MTU)) {
		if (req->net.mtu < caps->min_mtu ||
		    req->net.mtu > caps->max_mtu) {
			snprintf(why, why_len,
				 "mtu %u is out of range: use %u to %u",
				 req->net.mtu, caps->min_mtu, caps->max_mtu);
			return -EINVAL;
		}
		p->mtu = req->net.mtu;
	}

	if (mask & BIT_ULL(VDPA_ATTR_DEV_NET_CFG_MAX_VQP)) {
		u16 vqp = req->net.max_vq_pairs;

		if (!vqp || vqp > caps->max_vq_pairs) {
			snprintf(why, why_len,
				 "max_vqp %u is out of range: use 1 to %u",
				 vqp, caps->max_vq_pairs);
			return -EINVAL;
		}
		if (vqp > 1 && !(p->features & BIT_ULL(VIRTIO_NET_F_MQ))) {
			snprintf(why, why_len,
				 "max_vqp %u needs feature MQ (bit %d) in device_features",
				 vqp, VIRTIO_NET_F_MQ);
			return -EINVAL;
		}
		p->max_vq_pairs = vqp;
	}
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(snic_resolve_params);

static int snic_dev_add(struct vdpa_mgmt_dev *mdev, const char *name,
			const struct vdpa_dev_set_config *config)
{
	struct snic_nic *nic = container_of(mdev, struct snic_nic, mgmt);
	struct snic_dev_params p;
	struct snic_vdpa *sv;
	char why[160];
	int err;

	err = snic_resolve_params(&nic->caps, config, &p, why, sizeof(why));
	if (err) {
		dev_err(nic->dev, "vdpa dev add %s: %s\n", name, why);
		return err;
	}

	sv = snic_vdpa_create(nic, name, &p);
	if (IS_ERR(sv)) {
		err = PTR_ERR(sv);
		if (err == -ENOSPC)
			dev_err(nic->dev,
				"vdpa dev add %s: all %u functions of this NIC are in use: delete a device first\n",
				name, nic->caps.max_functions);
		else
			dev_err(nic->dev, "vdpa dev add %s: cannot create the device: %pe\n",
				name, sv);
		return err;
	}

	sv->vdpa.mdev = mdev;
	err = _vdpa_register_device(&sv->vdpa, sv->nvqs);
	if (err) {
		if (err == -EEXIST)
			dev_err(nic->dev,
				"vdpa dev add %s: a vdpa device with this name exists: choose another name\n",
				name);
		else
			dev_err(nic->dev, "vdpa dev add %s: registration failed: %pe\n",
				name, ERR_PTR(err));
		snic_vdpa_destroy(sv);
		put_device(&sv->vdpa.dev);
		return err;
	}

	dev_info(nic->dev, "added %s: function %d, mac %pM, mtu %u, %u queue pairs, features 0x%llx\n",
		 name, sv->fn, p.mac, p.mtu, p.max_vq_pairs, p.features);
	return 0;
}

static void snic_dev_del(struct vdpa_mgmt_dev *mdev, struct vdpa_device *vdpa)
{
	struct snic_vdpa *sv = vdpa_to_snic(vdpa);

	/* Unregistering may drop the last reference: keep one. */
	get_device(&vdpa->dev);
	_vdpa_unregister_device(vdpa);
	snic_vdpa_destroy(sv);
	put_device(&vdpa->dev);
}

static int snic_dev_set_attr(struct vdpa_mgmt_dev *mdev,
			     struct vdpa_device *vdpa,
			     const struct vdpa_dev_set_config *config)
{
	struct snic_vdpa *sv = vdpa_to_snic(vdpa);
	int err;

	if (config->mask & ~BIT_ULL(VDPA_ATTR_DEV_NET_CFG_MACADDR)) {
		dev_err(&vdpa->dev, "vdpa dev set: only mac can change on a live device\n");
		return -EOPNOTSUPP;
	}
	if (!(sv->params.features & BIT_ULL(VIRTIO_NET_F_MAC))) {
		dev_err(&vdpa->dev, "vdpa dev set: device offers no MAC feature: add it with device_features\n");
		return -EOPNOTSUPP;
	}
	err = snic_vdpa_set_mac(sv, config->net.mac);
	if (err)
		dev_err(&vdpa->dev, "vdpa dev set: the NIC refused mac %pM: %pe\n",
			config->net.mac, ERR_PTR(err));
	return err;
}

static const struct vdpa_mgmtdev_ops snic_mgmt_ops = {
	.dev_add = snic_dev_add,
	.dev_del = snic_dev_del,
	.dev_set_attr = snic_dev_set_attr,
};

/**
 * snic_mgmt_register() - offer @nic to `vdpa dev add`
 * @nic: a probed NIC with its capabilities filled in
 *
 * Return: 0 or a negative errno.
 */
int snic_mgmt_register(struct snic_nic *nic)
{
	ida_init(&nic->fn_ida);
	nic->id_table[0] = (struct virtio_device_id) {
		.device = VIRTIO_ID_NET,
		.vendor = VIRTIO_DEV_ANY_ID,
	};
	nic->mgmt = (struct vdpa_mgmt_dev) {
		.device = nic->dev,
		.ops = &snic_mgmt_ops,
		.id_table = nic->id_table,
		.config_attr_mask = BIT_ULL(VDPA_ATTR_DEV_NET_CFG_MACADDR) |
				    BIT_ULL(VDPA_ATTR_DEV_NET_CFG_MTU) |
				    BIT_ULL(VDPA_ATTR_DEV_NET_CFG_MAX_VQP) |
				    BIT_ULL(VDPA_ATTR_DEV_FEATURES),
		.supported_features = nic->caps.features,
		.max_supported_vqs = 2 * nic->caps.max_vq_pairs + 1,
	};
	return vdpa_mgmtdev_register(&nic->mgmt);
}

/**
 * snic_mgmt_unregister() - delete every device of @nic and withdraw it
 * @nic: a NIC registered with snic_mgmt_register()
 */
void snic_mgmt_unregister(struct snic_nic *nic)
{
	vdpa_mgmtdev_unregister(&nic->mgmt);
	ida_destroy(&nic->fn_ida);
}
