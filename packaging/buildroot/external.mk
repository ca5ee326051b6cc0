include $(sort $(wildcard $(BR2_EXTERNAL_MCAST_LAB_PATH)/package/*/*.mk))
