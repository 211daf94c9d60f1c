//! The world naia replicates into: a slot table of entities, each with its replicated
//! components. naia publishes no ECS-free world, so the runner implements its world traits
//! here; the runner's entities carry one component, so each entity's components are a short
//! list searched by kind. Delegation (client authority) is not used by the harness: its
//! hooks only forward to the component, as naia expects of any world.

use naia_shared::{
    BigMapKey, ComponentFieldUpdate, ComponentKind, ComponentKinds, ComponentUpdate,
    EntityAndGlobalEntityConverter, GlobalWorldManagerType, LocalEntityAndGlobalEntityConverter,
    ReplicaDynMutWrapper, ReplicaDynRefWrapper, ReplicaMutTrait, ReplicaMutWrapper,
    ReplicaRefTrait, ReplicaRefWrapper, Replicate, ReplicatedComponent, SerdeErr, WorldMutType,
    WorldRefType,
};

/// An entity: its slot in the table.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct Entity(u64);

impl BigMapKey for Entity {
    fn to_u64(&self) -> u64 {
        self.0
    }

    fn from_u64(value: u64) -> Self {
        Entity(value)
    }
}

type Components = Vec<Box<dyn Replicate>>;

/// The entity table.
#[derive(Default)]
pub struct Table {
    slots: Vec<Option<Components>>,
    free: Vec<usize>,
}

impl std::fmt::Debug for Table {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Table")
            .field("slots", &self.slots.len())
            .field("free", &self.free.len())
            .finish()
    }
}

impl Table {
    fn row(&self, e: &Entity) -> Option<&Components> {
        self.slots.get(e.0 as usize)?.as_ref()
    }

    fn row_mut(&mut self, e: &Entity) -> Option<&mut Components> {
        self.slots.get_mut(e.0 as usize)?.as_mut()
    }

    fn find(&self, e: &Entity, kind: &ComponentKind) -> Option<&dyn Replicate> {
        self.row(e)?
            .iter()
            .find(|c| c.kind() == *kind)
            .map(|c| &**c)
    }

    fn find_mut(&mut self, e: &Entity, kind: &ComponentKind) -> Option<&mut Box<dyn Replicate>> {
        self.row_mut(e)?.iter_mut().find(|c| c.kind() == *kind)
    }

    /// Every entity with a component of type `R`, and that component.
    pub fn each<R: ReplicatedComponent>(&self) -> impl Iterator<Item = &R> {
        self.slots
            .iter()
            .flatten()
            .flat_map(|row| row.iter())
            .filter_map(|c| c.to_any().downcast_ref::<R>())
    }
}

struct Held<'a, R>(&'a R);
impl<R: Replicate> ReplicaRefTrait<R> for Held<'_, R> {
    fn to_ref(&self) -> &R {
        self.0
    }
}

struct HeldMut<'a, R>(&'a mut R);
impl<R: Replicate> ReplicaRefTrait<R> for HeldMut<'_, R> {
    fn to_ref(&self) -> &R {
        self.0
    }
}
impl<R: Replicate> ReplicaMutTrait<R> for HeldMut<'_, R> {
    fn to_mut(&mut self) -> &mut R {
        self.0
    }
}

macro_rules! read_side {
    ($t:ty) => {
        impl WorldRefType<Entity> for $t {
            fn has_entity(&self, e: &Entity) -> bool {
                self.row(e).is_some()
            }

            fn entities(&self) -> Vec<Entity> {
                (0..self.slots.len())
                    .filter(|i| self.slots[*i].is_some())
                    .map(|i| Entity(i as u64))
                    .collect()
            }

            fn has_component<R: ReplicatedComponent>(&self, e: &Entity) -> bool {
                self.find(e, &ComponentKind::of::<R>()).is_some()
            }

            fn has_component_of_kind(&self, e: &Entity, kind: &ComponentKind) -> bool {
                self.find(e, kind).is_some()
            }

            fn component<'a, R: ReplicatedComponent>(
                &'a self,
                e: &Entity,
            ) -> Option<ReplicaRefWrapper<'a, R>> {
                let c = self.find(e, &ComponentKind::of::<R>())?;
                c.to_any()
                    .downcast_ref::<R>()
                    .map(|r| ReplicaRefWrapper::new(Held(r)))
            }

            fn component_of_kind<'a>(
                &'a self,
                e: &Entity,
                kind: &ComponentKind,
            ) -> Option<ReplicaDynRefWrapper<'a>> {
                self.find(e, kind)
                    .map(|c| ReplicaDynRefWrapper::new(c.dyn_ref()))
            }
        }
    };
}

read_side!(&Table);
read_side!(&mut Table);

impl WorldMutType<Entity> for &mut Table {
    fn spawn_entity(&mut self) -> Entity {
        match self.free.pop() {
            Some(i) => {
                self.slots[i] = Some(Vec::new());
                Entity(i as u64)
            }
            None => {
                self.slots.push(Some(Vec::new()));
                Entity(self.slots.len() as u64 - 1)
            }
        }
    }

    fn local_duplicate_entity(&mut self, e: &Entity) -> Entity {
        let copy = self.spawn_entity();
        self.local_duplicate_components(&copy, e);
        copy
    }

    fn local_duplicate_components(&mut self, to: &Entity, from: &Entity) {
        let copies: Components = self
            .row(from)
            .map(|row| row.iter().map(|c| c.copy_to_box()).collect())
            .unwrap_or_default();
        for c in copies {
            self.insert_boxed_component(to, c);
        }
    }

    fn despawn_entity(&mut self, e: &Entity) {
        if let Some(slot) = self.slots.get_mut(e.0 as usize)
            && slot.take().is_some()
        {
            self.free.push(e.0 as usize);
        }
    }

    fn component_kinds(&mut self, e: &Entity) -> Vec<ComponentKind> {
        self.row(e)
            .map(|row| row.iter().map(|c| c.kind()).collect())
            .unwrap_or_default()
    }

    fn component_mut<'a, R: ReplicatedComponent>(
        &'a mut self,
        e: &Entity,
    ) -> Option<ReplicaMutWrapper<'a, R>> {
        let c = self.find_mut(e, &ComponentKind::of::<R>())?;
        c.to_any_mut()
            .downcast_mut::<R>()
            .map(|r| ReplicaMutWrapper::new(HeldMut(r)))
    }

    fn component_mut_of_kind<'a>(
        &'a mut self,
        e: &Entity,
        kind: &ComponentKind,
    ) -> Option<ReplicaDynMutWrapper<'a>> {
        self.find_mut(e, kind)
            .map(|c| ReplicaDynMutWrapper::new(c.dyn_mut()))
    }

    fn component_apply_update(
        &mut self,
        converter: &dyn LocalEntityAndGlobalEntityConverter,
        e: &Entity,
        kind: &ComponentKind,
        update: ComponentUpdate,
    ) -> Result<(), SerdeErr> {
        match self.find_mut(e, kind) {
            Some(c) => c.read_apply_update(converter, update),
            None => Ok(()),
        }
    }

    fn component_apply_field_update(
        &mut self,
        converter: &dyn LocalEntityAndGlobalEntityConverter,
        e: &Entity,
        kind: &ComponentKind,
        update: ComponentFieldUpdate,
    ) -> Result<(), SerdeErr> {
        if let Some(c) = self.find_mut(e, kind) {
            // A field that cannot be applied yet (it names an entity not here) is skipped,
            // as naia's own worlds do; the harness's component names no entities.
            let _ = c.read_apply_field_update(converter, update);
        }
        Ok(())
    }

    fn mirror_entities(&mut self, to: &Entity, from: &Entity) {
        for kind in self.component_kinds(from) {
            self.mirror_components(to, from, &kind);
        }
    }

    fn mirror_components(&mut self, to: &Entity, from: &Entity, kind: &ComponentKind) {
        let Some(source) = self.find(from, kind).map(|c| c.copy_to_box()) else {
            return;
        };
        if let Some(target) = self.find_mut(to, kind) {
            target.mirror(source.as_ref());
        }
    }

    fn insert_component<R: ReplicatedComponent>(&mut self, e: &Entity, component: R) {
        self.insert_boxed_component(e, Box::new(component));
    }

    fn insert_boxed_component(&mut self, e: &Entity, component: Box<dyn Replicate>) {
        let kind = component.kind();
        if let Some(row) = self.row_mut(e) {
            match row.iter_mut().find(|c| c.kind() == kind) {
                Some(old) => *old = component,
                None => row.push(component),
            }
        }
    }

    fn remove_component<R: ReplicatedComponent>(&mut self, e: &Entity) -> Option<R> {
        let boxed = self.remove_component_of_kind(e, &ComponentKind::of::<R>())?;
        boxed.to_boxed_any().downcast::<R>().ok().map(|b| *b)
    }

    fn remove_component_of_kind(
        &mut self,
        e: &Entity,
        kind: &ComponentKind,
    ) -> Option<Box<dyn Replicate>> {
        let row = self.row_mut(e)?;
        let at = row.iter().position(|c| c.kind() == *kind)?;
        Some(row.swap_remove(at))
    }

    fn entity_publish(
        &mut self,
        kinds: &ComponentKinds,
        converter: &dyn EntityAndGlobalEntityConverter<Entity>,
        manager: &dyn GlobalWorldManagerType,
        e: &Entity,
    ) {
        for kind in self.component_kinds(e) {
            self.component_publish(kinds, converter, manager, e, &kind);
        }
    }

    fn component_publish(
        &mut self,
        kinds: &ComponentKinds,
        converter: &dyn EntityAndGlobalEntityConverter<Entity>,
        manager: &dyn GlobalWorldManagerType,
        e: &Entity,
        kind: &ComponentKind,
    ) {
        let Ok(global) = converter.entity_to_global_entity(e) else {
            return;
        };
        if let Some(c) = self.find_mut(e, kind) {
            let mutator = manager.register_component(kinds, &global, kind, c.diff_mask_size());
            c.publish(&mutator);
        }
    }

    fn entity_unpublish(&mut self, e: &Entity) {
        for kind in self.component_kinds(e) {
            self.component_unpublish(e, &kind);
        }
    }

    fn component_unpublish(&mut self, e: &Entity, kind: &ComponentKind) {
        if let Some(c) = self.find_mut(e, kind) {
            c.unpublish();
        }
    }

    fn entity_enable_delegation(
        &mut self,
        kinds: &ComponentKinds,
        converter: &dyn EntityAndGlobalEntityConverter<Entity>,
        manager: &dyn GlobalWorldManagerType,
        e: &Entity,
    ) {
        for kind in self.component_kinds(e) {
            self.component_enable_delegation(kinds, converter, manager, e, &kind);
        }
    }

    fn component_enable_delegation(
        &mut self,
        kinds: &ComponentKinds,
        converter: &dyn EntityAndGlobalEntityConverter<Entity>,
        manager: &dyn GlobalWorldManagerType,
        e: &Entity,
        kind: &ComponentKind,
    ) {
        let Ok(global) = converter.entity_to_global_entity(e) else {
            return;
        };
        let accessor = manager.get_entity_auth_accessor(&global);
        let needs = manager.entity_needs_mutator_for_delegation(&global);
        if let Some(c) = self.find_mut(e, kind) {
            let mutator =
                needs.then(|| manager.register_component(kinds, &global, kind, c.diff_mask_size()));
            c.enable_delegation(&accessor, mutator.as_ref());
        }
    }

    fn entity_disable_delegation(&mut self, e: &Entity) {
        for kind in self.component_kinds(e) {
            self.component_disable_delegation(e, &kind);
        }
    }

    fn component_disable_delegation(&mut self, e: &Entity, kind: &ComponentKind) {
        if let Some(c) = self.find_mut(e, kind) {
            c.disable_delegation();
        }
    }
}
