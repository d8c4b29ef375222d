/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The commands layer's configuration and per-vCPU state (commands.h). */
#include "commands/commands.h"

#include "commands/roi.h"
#include "commands/services.h"
#include "commands/valgrind.h"

struct commands_config commands;

void commands_init(const struct commands_config *config)
{
    commands = *config;
    services_init();
    valgrind_init(&config->valgrind);
}

void commands_vcpu_init(struct vcpu *vcpu)
{
    roi_vcpu_init(vcpu);
    valgrind_vcpu_init(vcpu);
}

void commands_vcpu_new_thread(struct vcpu *vcpu)
{
    roi_vcpu_new_thread(vcpu);
}
